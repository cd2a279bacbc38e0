"""The JPKI user-authentication certificate: its expiry, its issuer, and whether it chains.

The auth certificate (EF 000A) carries a serial and validity but no name or address; its notAfter
bounds both certificates of the card (card-facts.md). Its dates count only once it verifies against
the CA certificate the card holds (EF 000B); that CA, in turn, is trusted only when J-LIS trust
anchors are installed in the configured folder. The kiosk ships none (none we may redistribute),
so without them the chain is "unknown" (None), never "ok". Revocation cannot be checked offline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

log = logging.getLogger(__name__)

JST = ZoneInfo("Asia/Tokyo")
MAX_CERT_BYTES = 8192  # an RSA-2048 certificate is ~1.5 kB: anything far larger is a broken header


@dataclass(frozen=True)
class AuthCertificate:
    not_after: date  # the last day it is valid, in Japan
    issuer: str  # RFC 4514, e.g. "OU=JPKI for user authentication,O=JPKI,C=JP"
    chain_ok: bool | None  # None: not verifiable (no trust anchors installed)


class CertificateError(ValueError):
    pass


def load_certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CertificateError(f"not a DER certificate: {exc}") from None


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def check_auth_certificate(auth_der: bytes, ca_der: bytes, anchors: tuple[x509.Certificate, ...]) -> AuthCertificate:
    """The auth certificate, once it verifies against the card's own CA certificate.

    Raises CertificateError when either is no certificate or the signature does not verify: bytes
    damaged on the way are indistinguishable from a bad certificate, so neither gives a date."""
    cert = load_certificate(auth_der)
    ca = load_certificate(ca_der)
    if not _issued_by(cert, ca):
        raise CertificateError("the auth certificate does not verify against the card's CA certificate")
    try:
        not_after = cert.not_valid_after_utc.astimezone(JST).date()
        issuer = cert.issuer.rfc4514_string()
    except ValueError as exc:
        raise CertificateError(f"unreadable certificate fields: {exc}") from None
    # Without installed J-LIS anchors the card's CA cannot be trusted or distrusted: None, never True.
    chain_ok = any(ca == anchor or _issued_by(ca, anchor) for anchor in anchors) if anchors else None
    return AuthCertificate(not_after=not_after, issuer=issuer, chain_ok=chain_ok)


def load_trust_anchors(folder: Path | None) -> tuple[x509.Certificate, ...]:
    """J-LIS CA certificates (PEM or DER files) from the configured folder; none when it is unset or empty."""
    if folder is None or not folder.is_dir():
        return ()
    anchors: list[x509.Certificate] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                anchors.extend(x509.load_pem_x509_certificates(data))
            else:
                anchors.append(x509.load_der_x509_certificate(data))
        except ValueError:
            log.warning("trust anchor %s is not a certificate: skipped", path.name)
    return tuple(anchors)
