"""A fake of pyscard's CardConnection (its documented `doTransmit` seam), with an emulated card inside.

Not a fake of our code: the driver runs unchanged on top of it, exactly as on PCSCCardConnection.
Like pyscard, a reply shorter than a status word raises CardConnectionException.
"""

from __future__ import annotations

from collections.abc import Callable

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
