import pytest
from django.core.exceptions import ValidationError

from cadres.validators import validate_id_number
from tests.factories import make_id_number


def test_it_accepts_a_valid_id_number():
    validate_id_number("11010519491231002X")
    validate_id_number(make_id_number(7))


@pytest.mark.parametrize("value,message", [
    ("11010519491231002", "18 位"),
    ("1101051949123100AX", "18 位"),
    ("110105194913310021", "出生日期"),
    ("110105194912310021", "校验位"),
])
def test_it_refuses_a_bad_id_number(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_id_number(value)
