"""P256VERIFY precompile (EIP-7951): secp256r1 ECDSA verification at 0x100.

Input: 160 bytes = hash(32) | r(32) | s(32) | qx(32) | qy(32). Output: 32-byte 1 when the
signature is valid, empty otherwise (never an error). The gas is charged whatever the input.
Curve arithmetic is the `cryptography` package's (OpenSSL), not ours; it is imported on the
first signature that reaches it (7 ms of a one-block `verify` that never calls 0x100).
"""

from __future__ import annotations

P256VERIFY_ADDRESS = (0x100).to_bytes(20, "big")
GAS_P256VERIFY_OSAKA = 6900  # EIP-7951 as activated in Osaka

# secp256r1 domain parameters (SEC 2, FIPS 186-4)
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def verify(data: bytes) -> bool:
    if len(data) != 160:
        return False
    h = data[:32]
    r, s, x, y = (int.from_bytes(data[i : i + 32], "big") for i in (32, 64, 96, 128))
    if not (0 < r < N and 0 < s < N):
        return False
    if x >= P or y >= P or (x == 0 and y == 0):
        return False
    if (y * y - (x * x * x + A * x + B)) % P != 0:
        return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    try:
        key.verify(encode_dss_signature(r, s), h, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        return False
    return True


def make_p256verify(gas: int):
    def p256verify(computation):
        computation.consume_gas(gas, reason="P256VERIFY precompile")
        if verify(computation.msg.data_as_bytes):
            computation.output = (1).to_bytes(32, "big")
        return computation

    return p256verify
