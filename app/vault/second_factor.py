"""A FIDO2 security key as a second factor that works offline (issue #20), after KeePassXC's YubiKey model.

At enrolment the key makes a credential with the hmac-secret extension; the slot keeps the credential id and
a random salt (app/vault/keyfile.py `Enrolment`). At unlock the key answers HMAC(its secret, salt), which joins
the slot key's derivation: no key, no slot. Nothing secret leaves the key except that answer, and only after a
touch. The rest of the app sees the seam `SecondFactor`; `Fido2SecondFactor` is the real one over python-fido2
(USB HID keys; the Windows WebAuthn API where Windows keeps keys from programs that are not administrators).
Tests pass a software authenticator through `list_devices`.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from fido2.client import (
    ClientDataCollector,
    ClientError,
    Fido2Client,
    PinRequiredError,
    UserInteraction,
    WebAuthnClient,
)
from fido2.ctap import CtapDevice, CtapError
from fido2.ctap2.extensions import HmacSecretExtension
from fido2.ctap2.pin import ClientPin
from fido2.hid import CtapHidDevice
from fido2.webauthn import (
    AuthenticatorSelectionCriteria,
    CollectedClientData,
    PublicKeyCredentialCreationOptions,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialParameters,
    PublicKeyCredentialRequestOptions,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialType,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.errors import (
    NoSecurityKey,
    SecurityKeyCancelled,
    SecurityKeyError,
    SecurityKeyTimeout,
    WrongSecurityKey,
)
from app.locale import _
from app.vault.keyfile import FACTOR_SECRET_BYTES, Enrolment

RP_ID = "counterpart.invalid"  # hashed into every credential: a fixed name, never a web site; never change it
TOUCH_SECONDS = 30.0  # how long we wait for a touch before saying so
PUBLIC_KEY = PublicKeyCredentialType.PUBLIC_KEY


class SecondFactor(Protocol):
    """What a slot needs from a second factor: make a credential, and answer a salt with 32 secret bytes."""

    def enrol(self, user_name: str) -> Enrolment: ...

    def hmac_secret(self, enrolment: Enrolment, salt: bytes) -> bytes: ...


def list_devices() -> list[CtapDevice]:
    """The FIDO keys plugged in (tests replace this with a software authenticator)."""
    return list(CtapHidDevice.list_devices())


class _AppClientData(ClientDataCollector):
    """A desktop app has no web origin: a fixed pseudo-origin, and no check of the RP id against one."""

    def collect_client_data(self, options: Any) -> tuple[CollectedClientData, str]:
        if isinstance(options, PublicKeyCredentialCreationOptions):
            kind, rp_id = CollectedClientData.TYPE.CREATE, options.rp.id
        else:
            kind, rp_id = CollectedClientData.TYPE.GET, options.rp_id
        assert rp_id is not None
        return CollectedClientData.create(type=kind, origin=f"https://{rp_id}", challenge=options.challenge), rp_id


class _Prompt(UserInteraction):
    def __init__(self, on_touch: Callable[[], None] | None, pin: Callable[[], str | None] | None) -> None:
        self.on_touch, self.pin = on_touch, pin

    def prompt_up(self) -> None:
        if self.on_touch is not None:
            self.on_touch()

    def request_pin(self, permissions: ClientPin.PERMISSION, rp_id: str | None) -> str | None:
        return self.pin() if self.pin is not None else None


def _windows_client() -> WebAuthnClient | None:
    """On Windows 10 1903 and later only the WebAuthn API may talk to keys, unless we run as administrator."""
    if sys.platform != "win32":
        return None
    from fido2.client.windows import WindowsClient  # exists (and imports) on Windows only

    if not WindowsClient.is_available() or ctypes.windll.shell32.IsUserAnAdmin():
        return None
    return WindowsClient(_AppClientData(), allow_hmac_secret=True)


class Fido2SecondFactor:
    """The real second factor. `on_touch` is called (from the worker thread) when the key waits for a touch;
    `pin` is asked for a key that wants its PIN; `cancel()` from any thread stops a wait."""

    def __init__(
        self,
        on_touch: Callable[[], None] | None = None,
        pin: Callable[[], str | None] | None = None,
        touch_seconds: float = TOUCH_SECONDS,
        user_verification: str = "discouraged",
    ) -> None:
        self._prompt = _Prompt(on_touch, pin)
        self.touch_seconds = touch_seconds
        self.user_verification = user_verification  # fixed at enrolment: the key answers differently with UV
        self._event = threading.Event()
        self._cancelled = False

    def cancel(self) -> None:
        self._cancelled = True
        self._event.set()

    def _clients(self) -> Sequence[WebAuthnClient]:
        windows = _windows_client()
        if windows is not None:
            return [windows]
        extensions = [HmacSecretExtension(allow_hmac_secret=True)]  # type: ignore[no-untyped-call]
        clients = [
            Fido2Client(device, _AppClientData(), self._prompt, extensions=extensions) for device in list_devices()
        ]
        if not clients:
            raise NoSecurityKey(
                _(
                    "No security key is plugged in. Plug in your security key and try again, or open "
                    "the vault with the recovery key."
                )
            )
        return clients

    def _run(self, action: Callable[[WebAuthnClient, threading.Event], Any]) -> Any:
        """Try each key in turn (the first that knows the credential answers); translate fido2's errors."""
        if self._cancelled:
            raise _cancelled()
        wrong: ClientError | None = None
        for client in self._clients():
            self._event = threading.Event()
            timer = threading.Timer(self.touch_seconds, self._event.set)
            timer.daemon = True
            timer.start()
            try:
                return action(client, self._event)
            except ClientError as exc:
                if self._cancelled:
                    raise _cancelled() from None
                if exc.code == ClientError.ERR.DEVICE_INELIGIBLE and not isinstance(exc, PinRequiredError):
                    wrong = exc
                    continue
                raise _translate(exc, timed_out=self._event.is_set()) from None
            finally:
                timer.cancel()
        raise _translate(wrong or ClientError.ERR.DEVICE_INELIGIBLE(), timed_out=False)

    def enrol(self, user_name: str) -> Enrolment:
        options = PublicKeyCredentialCreationOptions(
            rp=PublicKeyCredentialRpEntity(name="Counterpart", id=RP_ID),
            user=PublicKeyCredentialUserEntity(name=user_name, id=os.urandom(16)),
            challenge=os.urandom(32),
            pub_key_cred_params=[
                PublicKeyCredentialParameters(type=PUBLIC_KEY, alg=-7),
                PublicKeyCredentialParameters(type=PUBLIC_KEY, alg=-8),
            ],
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement(self.user_verification),
            ),
            extensions={"hmacCreateSecret": True},
        )
        result = self._run(lambda client, event: client.make_credential(options, event=event))
        if result.client_extension_results.hmac_create_secret is not True:
            raise _unsupported()
        return Enrolment(bytes(result.raw_id), os.urandom(FACTOR_SECRET_BYTES), self.user_verification, RP_ID)

    def hmac_secret(self, enrolment: Enrolment, salt: bytes) -> bytes:
        if len(salt) != FACTOR_SECRET_BYTES:
            raise ValueError("an hmac-secret salt is 32 bytes")
        options = PublicKeyCredentialRequestOptions(
            challenge=os.urandom(32),
            rp_id=enrolment.rp_id,
            user_verification=UserVerificationRequirement(enrolment.user_verification),
            allow_credentials=[PublicKeyCredentialDescriptor(type=PUBLIC_KEY, id=enrolment.credential_id)],
            extensions={"hmacGetSecret": {"salt1": salt}},
        )
        selection = self._run(lambda client, event: client.get_assertion(options, event=event))
        output = selection.get_response(0).client_extension_results.hmac_get_secret
        if output is None or len(output.output1) != FACTOR_SECRET_BYTES:
            raise _unsupported()
        return bytes(output.output1)


def _cancelled() -> SecurityKeyCancelled:
    return SecurityKeyCancelled(_("Cancelled while waiting for the security key."))


def _unsupported() -> SecurityKeyError:
    return SecurityKeyError(
        _(
            "This security key cannot derive a secret (it lacks FIDO2's hmac-secret extension). "
            "Use a FIDO2 key that has it, such as a recent YubiKey, SoloKey or Nitrokey."
        )
    )


def _translate(exc: ClientError, timed_out: bool) -> SecurityKeyError:
    """fido2's error codes in words a shop owner can act on."""
    cause = exc.cause.code if isinstance(exc.cause, CtapError) else None
    if isinstance(exc, PinRequiredError):
        return SecurityKeyError(_("This security key asks for its PIN, and none was given."))
    if cause in (CtapError.ERR.PIN_INVALID, CtapError.ERR.PIN_AUTH_INVALID):
        return SecurityKeyError(_("The security key's PIN is not right."))
    if cause in (CtapError.ERR.PIN_BLOCKED, CtapError.ERR.PIN_AUTH_BLOCKED):
        return SecurityKeyError(
            _("The security key's PIN is blocked after too many wrong tries. Open the vault with the recovery key.")
        )
    if exc.code == ClientError.ERR.DEVICE_INELIGIBLE:
        return WrongSecurityKey(
            _(
                "This is not the security key this login was set up with. Plug in that key, or "
                "open the vault with the recovery key."
            )
        )
    if timed_out or exc.code == ClientError.ERR.TIMEOUT or cause == CtapError.ERR.OPERATION_DENIED:
        return SecurityKeyTimeout(
            _("The security key was not touched in time. Try again and touch the key when it blinks.")
        )
    if exc.code == ClientError.ERR.CONFIGURATION_UNSUPPORTED:
        return _unsupported()
    return SecurityKeyError(
        _("The security key did not answer ({detail}). Unplug it, plug it in again and try again.").format(
            detail=exc.code.name
        )
    )
