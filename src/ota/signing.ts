import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { OtaError } from './errors';
import type { BundleHeader, Endorsement, Signature } from './bundleFormat';

/**
 * ed25519 through node:crypto (platform.md §6.2): a 64-byte signature over the manifest text,
 * verified against the keys the device trusts. Each signed message starts with its own
 * domain string, so a manifest signature can never pass as a key endorsement or an MQTT command.
 * Keys are carried as base64 of the raw 32-byte public key (as telemetry.mqtt.signedCommands).
 */
const MANIFEST_DOMAIN = 'kabosu-ota-manifest-v1\n';
const KEY_DOMAIN = 'kabosu-ota-key-v1\n';
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function publicKeyFromB64(b64: string): KeyObject {
  const raw = Buffer.from(b64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== b64) throw new OtaError('malformed', 'an ed25519 public key is 32 bytes in base64 (44 characters)', 'print one with `kabosu ota keygen`');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export function publicKeyB64(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/** A new signing key: the private key as PKCS#8 PEM (keep it off the miner), the public as base64. */
export function generateSigningKey(): { privatePem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKeyB64(publicKey) };
}

export function privateKeyFromPem(pem: string): KeyObject {
  try {
    const k = createPrivateKey(pem);
    if (k.asymmetricKeyType !== 'ed25519') throw new Error(k.asymmetricKeyType);
    return k;
  } catch (err) {
    throw new OtaError('malformed', `not an ed25519 private key (${(err as Error).message})`, 'make one with `kabosu ota keygen --out FILE`');
  }
}

export function signManifest(manifestText: string, key: KeyObject): Signature {
  return { key: publicKeyB64(createPublicKey(key)), sig: sign(null, Buffer.from(MANIFEST_DOMAIN + manifestText), key).toString('base64') };
}

/** `oldKey` vouches for `newKeyB64`: the bundle may then be signed by the new key. */
export function endorseKey(newKeyB64: string, oldKey: KeyObject): Endorsement {
  publicKeyFromB64(newKeyB64);
  return { key: newKeyB64, by: publicKeyB64(createPublicKey(oldKey)), sig: sign(null, Buffer.from(KEY_DOMAIN + newKeyB64), oldKey).toString('base64') };
}

export interface Verified {
  /** The trusted (or endorsed) key whose signature passed. */
  signedBy: string;
  /** Keys that became trusted through endorsements in this bundle (to add on commit). */
  newKeys: string[];
}

/**
 * Which key signed the manifest, given the device's trusted keys: the signature must come from
 * a trusted key, or from a key endorsed (directly or through a chain of endorsements, each
 * signed by an already trusted key) in the bundle. Throws OtaError unsigned / untrusted_key /
 * bad_signature. Pure apart from the signature math.
 */
export function verifyHeader(h: BundleHeader, trusted: readonly string[]): Verified {
  if (h.signatures.length === 0) throw new OtaError('unsigned', 'the bundle is not signed', 'sign it with `kabosu ota sign --key FILE BUNDLE`');
  if (trusted.length === 0) throw new OtaError('untrusted_key', 'this device trusts no OTA signing key', 'set ota.publicKeys in the config (or pass --key-file)');
  const trust = new Set(trusted);
  const newKeys: string[] = [];
  // Endorsements: repeat until no new key is admitted (a chain old -> mid -> new).
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of h.endorsements) {
      if (trust.has(e.key) || !trust.has(e.by)) continue;
      if (!verify(null, Buffer.from(KEY_DOMAIN + e.key), publicKeyFromB64(e.by), Buffer.from(e.sig, 'base64'))) {
        throw new OtaError('bad_signature', `the endorsement of key ${e.key.slice(0, 12)}… by a trusted key does not verify`, 'endorse the new key again with `kabosu ota endorse`');
      }
      trust.add(e.key);
      newKeys.push(e.key);
      changed = true;
    }
  }
  const text = Buffer.from(MANIFEST_DOMAIN + h.manifestText);
  let sawTrusted = false;
  for (const s of h.signatures) {
    if (!trust.has(s.key)) continue;
    sawTrusted = true;
    if (verify(null, text, publicKeyFromB64(s.key), Buffer.from(s.sig, 'base64'))) return { signedBy: s.key, newKeys };
  }
  if (!sawTrusted) throw new OtaError('untrusted_key', `signed by ${h.signatures.map((s) => s.key.slice(0, 12) + '…').join(', ')}, a key this device does not trust`, 'sign with a key in ota.publicKeys, or carry an endorsement of the new key by a trusted one');
  throw new OtaError('bad_signature', 'the manifest signature does not verify (the manifest was changed after signing, or the signature is forged)', 'rebuild and sign the bundle again');
}
