// ML-DSA-65 (FIPS 204) cross-check against an implementation independent of BouncyCastle: noble's
// post-quantum library. From the 32-byte seed xi it derives the key pair (FIPS 204 Algorithm 6,
// ML-DSA.KeyGen_internal), verifies the signature Rampart made, and signs the same message for
// Rampart to verify. Pure ML-DSA with the empty context (FIPS 204 §5.2). Prints one JSON object.
// Usage: node mldsa65-cross.mjs SEED_HEX MESSAGE_HEX RAMPART_SIGNATURE_HEX
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';

const [seedHex, messageHex, signatureHex] = process.argv.slice(2);
const bytes = (hex) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (data) => Buffer.from(data).toString('hex');
const seed = bytes(seedHex);
const message = bytes(messageHex);
const signature = bytes(signatureHex);

const keys = ml_dsa65.keygen(seed);
const tampered = Uint8Array.from(message);
tampered[0] ^= 1;
console.log(JSON.stringify({
  publicKey: hex(keys.publicKey),
  rampartSignatureVerifies: ml_dsa65.verify(signature, message, keys.publicKey),
  tamperedMessageVerifies: ml_dsa65.verify(signature, tampered, keys.publicKey),
  nobleSignature: hex(ml_dsa65.sign(message, keys.secretKey)),
}));
