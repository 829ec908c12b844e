"""RFC 6238 TOTP (HMAC-SHA1), written for the tests independently of the simulator and the collection,
so that a token the plugins return can be checked against a computation of its own."""

import base64
import hashlib
import hmac
import struct


def totp(seed, epoch, digits=6, step=30):
    """The code of base32 ``seed`` at ``epoch`` (spaces, lower case and missing padding allowed)."""
    compact = seed.replace(" ", "").upper().rstrip("=")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    digest = hmac.new(key, struct.pack(">Q", epoch // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return "%0*d" % (digits, code)


# RFC 6238's own SHA1 seed (ASCII "12345678901234567890"), in base32.
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
