"""What is on the cards the kiosk meets: application ids, file ids and labels (card-facts.md).

J-LIS has not published the My Number card's layout; these values come from open-source readers
that agree with each other (OpenSC card-jpki.c, jpki/myna, soltia48/myna-card, AokiApp/jsapdu) and,
for licence cards, from the NPA specification. Values marked RE-single there rest on one source:
the reading session treats any other answer as "not known".
"""

from __future__ import annotations

from enum import StrEnum

AID_JPKI = bytes.fromhex("D392F000260100000001")
AID_INPUT_SUPPORT = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助: only its PIN-tries query
AID_CARD_FACE = bytes.fromhex("D3921000310001010402")  # 券面事項確認: never selected by the kiosk
AID_JUKI = bytes.fromhex("D3921000310001010401")  # never selected by the kiosk
AID_COMMON = bytes.fromhex("D3921000310001010100")  # 共通カード: card expiry when GET DATA is refused
AID_GP_ISD = bytes.fromhex("A0000001510000")
AID_LICENCE = bytes.fromhex("A0000002310600000000000000000000")  # マイナ免許証 application (RE-single)
AID_LICENCE_DF1 = bytes.fromhex("A0000002310100000000000000000000")  # licence card text: needs PIN1, never

# JPKI application files
EF_TOKEN_INFO = bytes.fromhex("0006")  # first 32 bytes: space-padded token label
EF_CERT_FLAGS = bytes.fromhex("0008")  # byte0 signature, byte1 auth; 8F = present (RE-single)
EF_AUTH_CERT = bytes.fromhex("000A")
EF_AUTH_CA_CERT = bytes.fromhex("000B")
EF_SIGN_CERT = bytes.fromhex("0001")  # name, address, birth date: never read
EF_SIGN_CA_CERT = bytes.fromhex("0002")
EF_AUTH_PIN = bytes.fromhex("0018")
EF_SIGN_PIN = bytes.fromhex("001B")
# 券面事項入力補助 files
EF_INPUT_PIN = bytes.fromhex("0011")
EF_MY_NUMBER = bytes.fromhex("0001")  # the 12-digit My Number: never read
EF_NAME_ADDRESS = bytes.fromhex("0002")  # never read
# 共通カード
EF_COMMON_DATA = bytes.fromhex("0001")  # 01 1C + serial(15) + municipality(5) + expiry YYYYMMDD
# legacy IC driver's licence, under the MF
EF_LICENCE_COMMON = bytes.fromhex("2F01")  # 45 0B version(3) issue(BCD4) expiry(BCD4) 46 02 maker crypto

# VERIFY with no data and P2 = 80 | SFI: tries left without selecting the PIN file
P2_AUTH_PIN = 0x80 | 0x18
P2_SIGN_PIN = 0x80 | 0x1B
P2_INPUT_PIN = 0x80 | 0x11
P2_CURRENT_EF = 0x80

AUTH_PIN_TRIES = 3
SIGN_PIN_TRIES = 5
INPUT_PIN_TRIES = 3

GET_DATA_EXPIRY = (0x00, 0x00, 0xF2)  # CLA, P1, P2: card expiry as YYYYMMDD
GET_DATA_CARD_RESOURCES = (0x80, 0xFF, 0x21)  # GlobalPlatform extended card resources
TAG_CARD_RESOURCES = 0xFF21
TAG_FREE_NVM = 0x82  # free non-volatile memory, inside FF21

CERT_PRESENT = 0x8F


class TokenLabel(StrEnum):
    """The JPKI token label (EF 0006) tells the physical card from a phone and from a 住基カード."""

    MYNUMBER_CARD = "JPKIAPICCTOKEN2"
    ANDROID = "JPKIAPGPSETOKEN"
    IOS = "JPKIAPIOSTOKEN"
    JUKI_CARD = "JPKIAPICCTOKEN"


# A PC/SC part 3 storage-card ATR: FeliCa, MIFARE and other transit/shop cards (no ISO 7816-4 apps).
STORAGE_CARD_ATR_PREFIX = bytes.fromhex("3B8F8001804F0CA000000306")
