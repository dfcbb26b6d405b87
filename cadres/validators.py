import datetime

from django.core.exceptions import ValidationError

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_number_checksum(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-digit resident ID number with a valid birth date and check character."""
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise ValidationError("身份证号应为 18 位，前 17 位为数字，末位为数字或大写 X。", code="format")
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效。", code="birth_date") from None
    if id_number_checksum(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对。", code="checksum")
