"""Second factor (GB/T 22239-2019 8.1.4.1: two or more authentication techniques for
administrators): TOTP (django-otp) with single-use recovery codes (its static device).

Who must use it: every administrator role and superusers, and leaders (部门领导), always; the
roles the 安全管理员 adds in the security policy, or everyone (core.security_policy; the
setting SECOND_FACTOR_FOR_ALL gives the default). Such a user is enrolled at first login (QR code drawn here, no
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
from core.security_policy import security_policy

RECOVERY_CODE_COUNT = 10


def second_factor_required(user) -> bool:
    """The three administrators, the bootstrap superuser and leaders always; the policy's roles
    or everyone by the 安全管理员's policy."""
    if not user.is_authenticated or not getattr(settings, "SECOND_FACTOR_ENFORCED", True):
        return False
    if user.is_superuser or roles.is_administrator(user) or roles.is_leader(user):
        return True
    policy = security_policy()
    return policy.second_factor_for_all or bool(roles.roles_of(user) & policy.second_factor_roles)


def second_factor_allowed(user) -> bool:
    """May enrol: those who must, and others unless the policy closes voluntary enrolment."""
    return second_factor_required(user) or security_policy().second_factor_optional


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
