"""A minimal software CTAP2 authenticator with the hmac-secret extension, for tests (no hardware).

python-fido2 ships none, so this one is ours (from the research for issue #20). Keep it honest: real CTAP2
messages and real crypto on both sides, so app/vault/second_factor.py runs unchanged against it.

It is a `fido2.ctap.CtapDevice`: it answers CTAPHID.CBOR frames, so the *real* python-fido2 client code
(Ctap2, ClientPin, PinProtocolV1/V2, HmacSecretExtension, Fido2Client) runs unchanged against it.

Covered (per CTAP 2.1, section 6 and 12.5):
- authenticatorGetInfo, authenticatorMakeCredential (ES256, non-resident credentials, packed self attestation),
  authenticatorGetAssertion (allow list required), authenticatorSelection;
- authenticatorClientPIN: getPinRetries, getKeyAgreement, setPIN, getPinToken (legacy 0x05) and
  getPinUvAuthTokenUsingPinWithPermissions (0x09), PIN/UV auth protocols 1 and 2, PIN retry counter;
- hmac-secret: two CredRandom values per credential (with UV / without UV), ECDH key agreement (P-256),
  saltAuth check, one or two 32-byte salts, AES-256-CBC encrypted outputs (protocol 1: zero IV, protocol 2:
  random IV + HKDF-derived AES/HMAC keys).

Deliberately NOT covered: resident keys / credential management, built-in UV (fingerprint), CTAP1/U2F,
hmac-secret-mc, credProtect, largeBlob, enterprise attestation, real HID framing/keepalive timing,
PIN token expiry, power-cycle PIN blocking. Unknown extensions are ignored, as the spec allows.

The authenticator-side crypto is written here from the spec with `cryptography` primitives, independently of
fido2's PinProtocol classes, so a mismatch between the two sides shows up as a test failure.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fido2 import cbor
from fido2.ctap import STATUS, CtapDevice, CtapError
from fido2.hid import CAPABILITY, CTAPHID

ERR = CtapError.ERR
AAGUID = bytes.fromhex("c0ffee00c0ffee00c0ffee00c0ffee00")  # a made-up AAGUID naming this test double

# authenticatorData flags
UP, UV, AT, ED = 0x01, 0x04, 0x40, 0x80
# clientPin permissions
PERM_MC, PERM_GA = 0x01, 0x02


class _Fail(Exception):
    def __init__(self, code: ERR):
        self.code = code


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _cose_p256(public_key: ec.EllipticCurvePublicKey, alg: int) -> dict[int, Any]:
    n = public_key.public_numbers()
    return {1: 2, 3: alg, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")}


class _Protocol:
    """PIN/UV auth protocol, authenticator side (CTAP 2.1 6.5.6 and 6.5.7)."""

    def __init__(self, version: int):
        if version not in (1, 2):
            raise _Fail(ERR.INVALID_PARAMETER)
        self.version = version

    def shared_secret(self, own: ec.EllipticCurvePrivateKey, peer_cose: Mapping[int, Any]) -> bytes:
        try:
            if peer_cose[1] != 2 or peer_cose[-1] != 1:
                raise _Fail(ERR.INVALID_PARAMETER)
            peer = ec.EllipticCurvePublicNumbers(
                int.from_bytes(peer_cose[-2], "big"), int.from_bytes(peer_cose[-3], "big"), ec.SECP256R1()
            ).public_key()
        except (KeyError, TypeError, ValueError) as exc:
            raise _Fail(ERR.INVALID_PARAMETER) from exc
        z = own.exchange(ec.ECDH(), peer)
        if self.version == 1:
            return _sha256(z)
        hkdf = lambda info: HKDF(hashes.SHA256(), 32, b"\0" * 32, info).derive(z)  # noqa: E731
        return hkdf(b"CTAP2 HMAC key") + hkdf(b"CTAP2 AES key")

    def _keys(self, secret: bytes) -> tuple[bytes, bytes]:  # (hmac key, aes key)
        return (secret, secret) if self.version == 1 else (secret[:32], secret[32:])

    def encrypt(self, secret: bytes, plain: bytes) -> bytes:
        iv = b"\0" * 16 if self.version == 1 else os.urandom(16)
        enc = Cipher(algorithms.AES(self._keys(secret)[1]), modes.CBC(iv)).encryptor()
        body = enc.update(plain) + enc.finalize()
        return body if self.version == 1 else iv + body

    def decrypt(self, secret: bytes, data: bytes) -> bytes:
        iv, body = (b"\0" * 16, data) if self.version == 1 else (data[:16], data[16:])
        if not body or len(body) % 16:
            raise _Fail(ERR.INVALID_LENGTH)
        dec = Cipher(algorithms.AES(self._keys(secret)[1]), modes.CBC(iv)).decryptor()
        return dec.update(body) + dec.finalize()

    def authenticate(self, key: bytes, message: bytes) -> bytes:
        mac = hmac.new(self._keys(key)[0], message, hashlib.sha256).digest()
        return mac[:16] if self.version == 1 else mac

    def verify(self, key: bytes, message: bytes, signature: bytes | None) -> bool:
        return isinstance(signature, bytes) and hmac.compare_digest(self.authenticate(key, message), signature)


class SoftAuthenticator(CtapDevice):
    """An in-memory FIDO2 authenticator.

    :param pin: a PIN already set (None: no PIN; the client may set one with ClientPin.set_pin).
    :param protocols: PIN/UV auth protocols to advertise, preferred first.
    :param user_presence: called for every touch; return False to simulate the user refusing/timing out. A
        touch refused after the client's cancel event was set answers KEEPALIVE_CANCEL, as a real key does.
    :param master_key: 32 bytes that wrap the credentials into their IDs (non-resident keys, as a YubiKey
        does); pass the same one to a new instance to simulate the same physical key after a restart.
    """

    def __init__(
        self,
        *,
        pin: str | None = None,
        protocols: tuple[int, ...] = (2, 1),
        user_presence: Callable[[], bool] = lambda: True,
        master_key: bytes | None = None,
    ):
        self._pin_hash = _sha256(pin.encode())[:16] if pin else None
        self._protocols = protocols
        self._user_presence = user_presence
        self._master = master_key or os.urandom(32)
        self._counter = 0
        self._pin_retries = 8
        self._key_agreement = ec.generate_private_key(ec.SECP256R1())
        self._pin_token = os.urandom(32)
        self._token_permissions = 0
        self._token_rp_id: str | None = None
        self.touches = 0  # how many user-presence checks happened (tests can assert on it)
        self._on_keepalive: Any = None
        self._event: Any = None

    # --- CtapDevice -------------------------------------------------------------------------------------
    @property
    def capabilities(self) -> int:
        return CAPABILITY.CBOR | CAPABILITY.NMSG  # CTAP2 only, no U2F

    @classmethod
    def list_devices(cls) -> Iterator[CtapDevice]:
        return iter(())

    def call(self, cmd: int, data: bytes = b"", event: Any = None, on_keepalive: Any = None) -> bytes:
        if cmd != CTAPHID.CBOR:
            raise CtapError(ERR.INVALID_COMMAND)
        if not data:
            return bytes([ERR.INVALID_LENGTH])
        self._on_keepalive = on_keepalive
        self._event = event
        handlers = {
            0x01: self._make_credential,
            0x02: self._get_assertion,
            0x04: self._get_info,
            0x06: self._client_pin,
            0x0B: self._selection,
        }
        handler = handlers.get(data[0])
        if handler is None:
            return bytes([ERR.INVALID_COMMAND])
        try:
            params = cbor.decode(data[1:]) if len(data) > 1 else {}
            if not isinstance(params, dict):
                raise _Fail(ERR.INVALID_CBOR)
            response = handler(params)
        except _Fail as fail:
            return bytes([fail.code])
        except (ValueError, TypeError, KeyError):
            return bytes([ERR.INVALID_CBOR])
        return b"\0" + (cbor.encode(response) if response is not None else b"")

    # --- helpers ----------------------------------------------------------------------------------------
    def _touch(self) -> None:
        if self._on_keepalive:
            self._on_keepalive(STATUS.UPNEEDED)
        self.touches += 1
        if not self._user_presence():
            cancelled = self._event is not None and self._event.is_set()
            raise _Fail(ERR.KEEPALIVE_CANCEL if cancelled else ERR.OPERATION_DENIED)

    def _protocol(self, version: Any) -> _Protocol:
        if version not in self._protocols:
            raise _Fail(ERR.INVALID_PARAMETER)
        return _Protocol(version)

    def _wrap(self, rp_id_hash: bytes, secret: dict[int, bytes]) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self._master).encrypt(nonce, cbor.encode(secret), rp_id_hash)

    def _unwrap(self, rp_id_hash: bytes, credential_id: bytes) -> dict[int, bytes] | None:
        try:
            return cbor.decode(AESGCM(self._master).decrypt(credential_id[:12], credential_id[12:], rp_id_hash))
        except Exception:  # wrong key, wrong RP, garbage: not ours
            return None

    def _check_pin_uv_auth(
        self, params: dict, param_key: int, proto_key: int, client_data_hash: bytes, permission: int, rp_id: str
    ) -> bool:
        """Returns whether the user was verified (a valid pinUvAuthParam)."""
        auth = params.get(param_key)
        if auth is None:
            return False
        if auth == b"":  # CTAP 2.0 "touch to select" probe
            self._touch()
            raise _Fail(ERR.PIN_INVALID if self._pin_hash else ERR.PIN_NOT_SET)
        protocol = self._protocol(params.get(proto_key))
        if not protocol.verify(self._pin_token, client_data_hash, auth):
            raise _Fail(ERR.PIN_AUTH_INVALID)
        if not self._token_permissions & permission:
            raise _Fail(ERR.PIN_AUTH_INVALID)
        if self._token_rp_id is not None and self._token_rp_id != rp_id:
            raise _Fail(ERR.PIN_AUTH_INVALID)
        self._token_rp_id = rp_id
        return True

    def _auth_data(self, rp_id_hash: bytes, flags: int, attested: bytes = b"", extensions: dict | None = None) -> bytes:
        self._counter += 1
        if extensions:
            flags |= ED
        return (
            rp_id_hash
            + struct.pack(">BI", flags, self._counter)
            + attested
            + (cbor.encode(extensions) if extensions else b"")
        )

    # --- commands ---------------------------------------------------------------------------------------
    def _get_info(self, params: dict) -> dict:
        return {
            1: ["FIDO_2_0", "FIDO_2_1"],
            2: ["hmac-secret"],
            3: AAGUID,
            4: {
                "rk": False,
                "up": True,
                "plat": False,
                "clientPin": self._pin_hash is not None,
                "pinUvAuthToken": True,
                "makeCredUvNotRqd": True,
            },
            5: 1200,
            6: list(self._protocols),
            7: 8,
            8: 256,  # maxCredentialIdLength: the client silently drops longer IDs from allow lists
            9: ["usb"],
            10: [{"type": "public-key", "alg": -7}],
        }

    def _selection(self, params: dict) -> None:
        self._touch()

    def _make_credential(self, p: dict) -> dict:
        client_data_hash, rp, user, key_params = p.get(1), p.get(2), p.get(3), p.get(4)
        if not (
            isinstance(client_data_hash, bytes)
            and isinstance(rp, dict)
            and isinstance(user, dict)
            and isinstance(key_params, list)
        ):
            raise _Fail(ERR.MISSING_PARAMETER)
        if not any(kp.get("type") == "public-key" and kp.get("alg") == -7 for kp in key_params):
            raise _Fail(ERR.UNSUPPORTED_ALGORITHM)
        options = p.get(7) or {}
        if options.get("rk") or options.get("uv"):
            raise _Fail(ERR.UNSUPPORTED_OPTION)  # no resident keys, no built-in UV
        rp_id = rp["id"]
        rp_id_hash = _sha256(rp_id.encode())
        uv = self._check_pin_uv_auth(p, 8, 9, client_data_hash, PERM_MC, rp_id)
        for excluded in p.get(5) or []:
            if self._unwrap(rp_id_hash, excluded["id"]) is not None:
                self._touch()
                raise _Fail(ERR.CREDENTIAL_EXCLUDED)
        self._touch()

        key = ec.generate_private_key(ec.SECP256R1())
        secret: dict[int, bytes] = {1: key.private_numbers().private_value.to_bytes(32, "big")}
        ext_out: dict[str, Any] = {}
        if (p.get(6) or {}).get("hmac-secret") is True:
            secret[2] = os.urandom(32)  # CredRandomWithUV
            secret[3] = os.urandom(32)  # CredRandomWithoutUV
            ext_out["hmac-secret"] = True
        cred_id = self._wrap(rp_id_hash, secret)
        cose = cbor.encode(_cose_p256(key.public_key(), -7))
        attested = AAGUID + struct.pack(">H", len(cred_id)) + cred_id + cose
        auth_data = self._auth_data(rp_id_hash, UP | AT | (UV if uv else 0), attested, ext_out)
        sig = key.sign(auth_data + client_data_hash, ec.ECDSA(hashes.SHA256()))
        return {1: "packed", 2: auth_data, 3: {"alg": -7, "sig": sig}}  # packed self attestation

    def _get_assertion(self, p: dict) -> dict:
        rp_id, client_data_hash = p.get(1), p.get(2)
        if not (isinstance(rp_id, str) and isinstance(client_data_hash, bytes)):
            raise _Fail(ERR.MISSING_PARAMETER)
        options = p.get(5) or {}
        if options.get("uv") or options.get("rk"):
            raise _Fail(ERR.UNSUPPORTED_OPTION)
        up = options.get("up", True)
        rp_id_hash = _sha256(rp_id.encode())
        uv = self._check_pin_uv_auth(p, 6, 7, client_data_hash, PERM_GA, rp_id)

        found = None
        for descriptor in p.get(3) or []:  # no allow list: we hold no resident keys, so nothing matches
            secret = self._unwrap(rp_id_hash, descriptor.get("id", b""))
            if secret is not None:
                found = descriptor["id"], secret
                break
        if found is None:
            if up:
                self._touch()  # a real key blinks and waits for the touch before saying "no credentials"
            raise _Fail(ERR.NO_CREDENTIALS)
        cred_id, secret = found
        if up:
            self._touch()

        ext_out: dict[str, Any] = {}
        hmac_in = (p.get(4) or {}).get("hmac-secret")
        if hmac_in is not None and up and 2 in secret:  # hmac-secret needs user presence
            ext_out["hmac-secret"] = self._hmac_secret(hmac_in, secret[2] if uv else secret[3])

        key = ec.derive_private_key(int.from_bytes(secret[1], "big"), ec.SECP256R1())
        auth_data = self._auth_data(rp_id_hash, (UP if up else 0) | (UV if uv else 0), extensions=ext_out)
        sig = key.sign(auth_data + client_data_hash, ec.ECDSA(hashes.SHA256()))
        return {1: {"id": cred_id, "type": "public-key"}, 2: auth_data, 3: sig}

    def _hmac_secret(self, hmac_in: Any, cred_random: bytes) -> bytes:
        """CTAP 2.1 12.5: keyAgreement(1), saltEnc(2), saltAuth(3), pinUvAuthProtocol(4, default 1)."""
        if not isinstance(hmac_in, dict) or not all(k in hmac_in for k in (1, 2, 3)):
            raise _Fail(ERR.MISSING_PARAMETER)
        protocol = self._protocol(hmac_in.get(4, 1))
        shared = protocol.shared_secret(self._key_agreement, hmac_in[1])
        if not protocol.verify(shared, hmac_in[2], hmac_in[3]):
            raise _Fail(ERR.PIN_AUTH_INVALID)
        salts = protocol.decrypt(shared, hmac_in[2])
        if len(salts) not in (32, 64):
            raise _Fail(ERR.INVALID_LENGTH)
        output = b"".join(
            hmac.new(cred_random, salts[i : i + 32], hashlib.sha256).digest() for i in range(0, len(salts), 32)
        )
        return protocol.encrypt(shared, output)

    def _client_pin(self, p: dict) -> dict | None:
        protocol, sub = p.get(1), p.get(2)
        if sub == 0x01:  # getPINRetries
            return {3: self._pin_retries}
        proto = self._protocol(protocol)
        if sub == 0x02:  # getKeyAgreement
            return {1: _cose_p256(self._key_agreement.public_key(), -25)}
        if sub == 0x03:  # setPIN
            if self._pin_hash is not None:
                raise _Fail(ERR.NOT_ALLOWED)
            shared = proto.shared_secret(self._key_agreement, p[3])
            if not proto.verify(shared, p[5], p[4]):
                raise _Fail(ERR.PIN_AUTH_INVALID)
            pin = proto.decrypt(shared, p[5]).rstrip(b"\0")
            if len(pin) < 4:
                raise _Fail(ERR.PIN_POLICY_VIOLATION)
            self._pin_hash = _sha256(pin)[:16]
            return None
        if sub in (0x05, 0x09):  # getPinToken / getPinUvAuthTokenUsingPinWithPermissions
            if self._pin_hash is None:
                raise _Fail(ERR.PIN_NOT_SET)
            if self._pin_retries <= 0:
                raise _Fail(ERR.PIN_BLOCKED)
            shared = proto.shared_secret(self._key_agreement, p[3])
            if not hmac.compare_digest(proto.decrypt(shared, p[6]), self._pin_hash):
                self._pin_retries -= 1
                self._key_agreement = ec.generate_private_key(ec.SECP256R1())
                raise _Fail(ERR.PIN_BLOCKED if self._pin_retries <= 0 else ERR.PIN_INVALID)
            self._pin_retries = 8
            self._pin_token = os.urandom(32)
            if sub == 0x05:
                self._token_permissions, self._token_rp_id = PERM_MC | PERM_GA, None
            else:
                if not p.get(9):
                    raise _Fail(ERR.MISSING_PARAMETER)
                self._token_permissions, self._token_rp_id = p[9], p.get(10)
            return {2: proto.encrypt(shared, self._pin_token)}
        raise _Fail(ERR.INVALID_SUBCOMMAND)


def public_key_pem(credential_public_key: Mapping[int, Any]) -> bytes:
    """Helper for tests: the PEM of a COSE ES256 key (e.g. to check an assertion signature)."""
    key = ec.EllipticCurvePublicNumbers(
        int.from_bytes(credential_public_key[-2], "big"),
        int.from_bytes(credential_public_key[-3], "big"),
        ec.SECP256R1(),
    ).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
