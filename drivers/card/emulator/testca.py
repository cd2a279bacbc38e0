"""A test CA standing in for J-LIS, and the certificates it issues to emulated cards.

Keys are made at run time (two RSA-2048 keys per process, about a second) and never written
anywhere: nothing secret is committed. Certificates follow the real JPKI shape closely enough for
the driver (RSA-2048, SHA-256, validity to 23:59:59 JST of the last day) but say TEST everywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI TEST"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "JPKI for user authentication (TEST CA)"),
    ]
)


@dataclass(frozen=True)
class TestPki:
    ca_key: rsa.RSAPrivateKey
    user_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate

    @property
    def ca_der(self) -> bytes:
        return self.ca_cert.public_bytes(Encoding.DER)


@functools.cache
def stand_in_ca() -> TestPki:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    user_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(CA_NAME)
        .issuer_name(CA_NAME)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2014, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2045, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return TestPki(ca_key=ca_key, user_key=user_key, ca_cert=ca_cert)


@functools.lru_cache(maxsize=64)
def auth_certificate(last_day: date, serial: int = 2) -> bytes:
    """An auth certificate valid to 23:59:59 JST on `last_day`, issued by the test CA, as DER."""
    pki = stand_in_ca()
    not_after = datetime.combine(last_day, time(14, 59, 59), tzinfo=UTC)  # 23:59:59 in Japan
    not_before = min(not_after - timedelta(days=5 * 365), datetime(2025, 1, 1, tzinfo=UTC))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP")]))
        .issuer_name(CA_NAME)
        .public_key(pki.user_key.public_key())
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(pki.ca_key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)
