"""Second factor (GB/T 22239-2019 8.1.4.1: two or more authentication techniques for
administrators): TOTP (django-otp) with single-use recovery codes (its static device).

Who must use it: every administrator role and superusers, and leaders (部门领导); others when
SECOND_FACTOR_FOR_ALL is on. Such a user is enrolled at first login (QR code drawn here, no
internet) and asked for a code at every later login; until then every page except enrolment,
verification and logout redirects. The admin site refuses any user without a verified device."""
import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import roles

RECOVERY_CODE_COUNT = 10
# Administrator roles: 系统管理员 today, and the separated 安全管理员 / 审计管理员 when they exist.
ADMIN_ROLE_NAMES = {"系统管理员", "安全管理员", "审计管理员"}


def second_factor_required(user) -> bool:
    if not user.is_authenticated or not getattr(settings, "SECOND_FACTOR_ENFORCED", True):
        return False
    if getattr(settings, "SECOND_FACTOR_FOR_ALL", False):
        return True
    return user.is_superuser or bool(roles.roles_of(user) & ADMIN_ROLE_NAMES) or roles.is_leader(user)


def confirmed_totp(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user) -> TOTPDevice:
    """The device being enrolled (one per user until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (CSP allows img data:), drawn here without any service."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def recovery_codes_issue(user) -> list[str]:
    """New single-use recovery codes (the old ones stop working); shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
