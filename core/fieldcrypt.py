"""Personal data encrypted at rest (GB/T 22239-2019 8.1.4.8 / 8.1.4.11, GB/T 39786-2021).

`EncryptedCharField` / `EncryptedTextField` encrypt on save and decrypt on read with SM4-GCM
(or AES-GCM, setting FIELD_ENCRYPTION_ALGORITHM) under a key that lives outside the database
(FIELD_ENCRYPTION_KEY or FIELD_ENCRYPTION_KEY_FILE). A stored value reads

    <algorithm>$<key id>$<base64(nonce | ciphertext | tag)>

so that rows written under an older key (listed in FIELD_ENCRYPTION_OLD_KEYS while
`manage.py rotate_field_key` runs) still decrypt. Each field names a purpose that is bound to
its ciphertext as associated data: a value copied into another column does not decrypt.

Encrypted columns cannot be searched; `BlindIndexField` keeps a keyed SM3 hash (HMAC-SM3) of
the value, or of its last digits, beside it, computed on every save (bulk_create included),
and equality lookups go through it (see cadres.selectors.id_number_filter)."""
import base64
import hmac as std_hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

SM4_GCM = "sm4gcm"
AES_GCM = "aesgcm"
ALGORITHMS = {"SM4-GCM": SM4_GCM, "AES-GCM": AES_GCM}
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value that no configured key opens (wrong key, or the row was tampered with)."""


def _sm3_hmac(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


class FieldKey:
    """One master key and the keys derived from it: SM4 (16 bytes) / AES-256 (32 bytes) for the
    data, a separate one for blind indexes, and a short public id stored with each value."""

    def __init__(self, master: str):
        raw = master.encode()
        self.id = _sm3_hmac(raw, b"dandang-field-key-id").hex()[:8]
        material = _sm3_hmac(raw, b"dandang-field-encryption") + _sm3_hmac(raw, b"dandang-field-encryption-2")
        self.sm4 = material[:16]
        self.aes = material[:32]
        self.index = _sm3_hmac(raw, b"dandang-blind-index")


@cache
def _keys(current: str, old: tuple[str, ...]) -> tuple[FieldKey, dict[str, FieldKey]]:
    key = FieldKey(current)
    by_id = {k.id: k for k in (FieldKey(o) for o in old if o)}
    by_id[key.id] = key
    return key, by_id


def current_key() -> FieldKey:
    return _keys(*_configured())[0]


def _configured() -> tuple[str, tuple[str, ...]]:
    master = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not master:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 未设置：个人信息字段的加密密钥必须在数据库之外提供。")
    return master, tuple(getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", ()) or ())


def algorithm() -> str:
    name = getattr(settings, "FIELD_ENCRYPTION_ALGORITHM", "SM4-GCM")
    if name not in ALGORITHMS:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_ALGORITHM 只能是 {'、'.join(ALGORITHMS)}。")
    return ALGORITHMS[name]


def _sm4_encrypt(key, nonce, plaintext, aad):
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def _sm4_decrypt(key, nonce, data, aad):
    body, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str, purpose: str) -> str:
    key = current_key()
    alg = algorithm()
    nonce = os.urandom(NONCE_BYTES)
    aad = purpose.encode()
    data = plaintext.encode()
    sealed = _sm4_encrypt(key.sm4, nonce, data, aad) if alg == SM4_GCM else AESGCM(key.aes).encrypt(nonce, data, aad)
    return f"{alg}${key.id}${base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.split("$", 1)[0] in (SM4_GCM, AES_GCM) and value.count("$") >= 2


def decrypt(stored: str, purpose: str) -> str:
    alg, key_id, blob = stored.split("$", 2)
    key = _keys(*_configured())[1].get(key_id)
    if key is None:
        raise DecryptionError(
            f"没有编号为 {key_id} 的字段密钥（轮换密钥时须在 FIELD_ENCRYPTION_OLD_KEYS 中保留旧密钥）。")
    raw = base64.b64decode(blob)
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        if alg == SM4_GCM:
            data = _sm4_decrypt(key.sm4, nonce, sealed, purpose.encode())
        else:
            data = AESGCM(key.aes).decrypt(nonce, sealed, purpose.encode())
    except InvalidTag as exc:
        raise DecryptionError("密文校验失败：数据被篡改或密钥不符。") from exc
    return data.decode()


def blind_index(value: str, purpose: str, *, length: int = 64) -> str:
    """The keyed SM3 hash of a value, hex, `length` characters (a short one for the last few
    digits, whose 10^4 or 10^6 possible values a longer hash would not protect any better)."""
    digest = _sm3_hmac(current_key().index, purpose.encode() + b"\x00" + value.encode())
    return digest.hex()[:length]


def blind_index_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a, b)


class _EncryptedMixin:
    """Plaintext in Python, ciphertext in the column. Values written before encryption existed
    (plain text, no prefix) are read as they are, so the migration that encrypts them can read
    them first; every save writes ciphertext. Only `isnull` lookups are allowed: a filter on a
    ciphertext could never match, so it must go through a blind index instead."""

    def __init__(self, *args, purpose: str = "", **kwargs):
        if not purpose:
            raise ValueError("An encrypted field needs a purpose (bound to its ciphertext).")
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "" or not is_encrypted(value):
            return value
        return decrypt(value, self.purpose)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedCharField(_EncryptedMixin, models.CharField):
    """A CharField whose max_length checks the plaintext; the column is text (ciphertext is longer)."""


class EncryptedTextField(_EncryptedMixin, models.TextField):
    pass


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's value (or of its last `last` characters), recomputed on
    every save and bulk_create from the source attribute; never edited."""

    def __init__(self, *args, source: str = "", last: int | None = None, purpose: str = "", **kwargs):
        self.source, self.last, self.purpose = source, last, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, last=self.last, purpose=self.purpose)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def index_of(self, value):
        if not value:
            return None if self.null else ""
        value = str(value)
        if self.last:
            value = value[-self.last:]
        return blind_index(value, self.purpose, length=self.max_length)

    def pre_save(self, model_instance, add):
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def encrypted_field_names(model) -> list[str]:
    """The model's encrypted and blind-index fields (what a re-encryption rewrites)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, (_EncryptedMixin, BlindIndexField))]


def reencrypt_rows(model, *, batch_size: int = 500, progress=None) -> int:
    """Rewrite every row's encrypted fields under the current key (plaintext rows are
    encrypted, rows under an old key re-encrypted) and recompute its blind indexes. Batches
    by primary key, one transaction each, so a large table never holds long locks; history
    is not written (the values do not change). Used by the migrations and rotate_field_key."""
    from django.db import transaction

    names = encrypted_field_names(model)
    if not names:
        return 0
    index_fields = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    manager = model._base_manager
    total = manager.count()
    done, last_pk = 0, None
    while True:
        qs = manager.order_by("pk")
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        rows = list(qs.only("pk", *{n for n in names} | {f.source for f in index_fields})[:batch_size])
        if not rows:
            return done
        for row in rows:
            for field in index_fields:
                field.pre_save(row, False)
        with transaction.atomic():
            manager.bulk_update(rows, names)
        done += len(rows)
        last_pk = rows[-1].pk
        if progress:
            progress(done, total)
