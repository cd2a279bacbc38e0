"""A fake of pyscard's CardConnection (its documented `doTransmit` seam), with an emulated card inside.

Not a fake of our code: the driver runs unchanged on top of it, exactly as on PCSCCardConnection.
Like pyscard, a reply shorter than a status word raises CardConnectionException.

`ShortApduReader` puts the card behind a reader (or reader driver) that cannot carry extended-length
APDUs: pcscd fails their transmit (pyscard raises CardConnectionException with pcscd's error code),
or the reader answers 67 00 itself; the card never sees them.
"""

from __future__ import annotations

from collections.abc import Callable

from smartcard import scard
from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException

from drivers.card.emulator.card import EmulatedCard
from drivers.card.emulator.vpcd import ReceivedApdu


class EmulatedConnection(CardConnection):  # type: ignore[misc]
    def __init__(self, card: EmulatedCard, mutate: Callable[[int, bytes], bytes] | None = None) -> None:
        super().__init__("fake reader 00 00")
        self.card = card
        self.mutate = mutate
        self.received: list[ReceivedApdu] = []

    def connect(self, protocol: object = None, mode: object = None, disposition: object = None) -> None:
        self.card.reset()

    def disconnect(self) -> None:
        pass

    def getATR(self) -> list[int]:
        return list(self.card.atr)

    def doTransmit(self, command: list[int], protocol: object = None) -> tuple[list[int], int, int]:
        apdu = bytes(command)
        application, ef = self.card.where()
        self.received.append(ReceivedApdu(self.card.profile.name, application, ef, apdu))
        reply = self.card.respond(apdu)
        if reply is None:
            raise CardConnectionException("Failed to transmit: Transaction failed.", hresult=0x80100016)
        if self.mutate is not None:
            reply = self.mutate(len(self.received) - 1, reply)
        if len(reply) < 2:
            raise CardConnectionException("Card returned no valid response", hresult=0)
        return list(reply[:-2]), reply[-2], reply[-1]


def is_extended(apdu: bytes) -> bool:
    """ISO 7816-4: an extended-length command has a zero byte where a short one has Lc or Le."""
    return len(apdu) >= 7 and apdu[4] == 0


class ShortApduReader(EmulatedConnection):
    """A card behind a reader that refuses extended-length APDUs before they reach the card."""

    def __init__(
        self, card: EmulatedCard, *, fails_with: int | None = scard.SCARD_E_NOT_TRANSACTED, answer: bytes = b""
    ) -> None:
        super().__init__(card)
        self.fails_with = fails_with  # pcscd's error for the transmit; None: the reader answers `answer`
        self.answer = answer
        self.refused = 0  # extended APDUs the reader stopped

    def doTransmit(self, command: list[int], protocol: object = None) -> tuple[list[int], int, int]:
        if not is_extended(bytes(command)):
            return super().doTransmit(command, protocol)
        self.refused += 1
        if self.fails_with is not None:
            message = scard.SCardGetErrorMessage(self.fails_with)
            raise CardConnectionException(f"Failed to transmit with protocol T1. {message}", hresult=self.fails_with)
        return list(self.answer[:-2]), self.answer[-2], self.answer[-1]
