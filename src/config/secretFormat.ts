/** The self-describing at-rest form of a secret: `enc:v1:<base64 of iv(12) | tag(16) | ciphertext>`. */
export const ENC_PREFIX = 'enc:v1:';

export function isEncrypted(v: string): boolean {
  return v.startsWith(ENC_PREFIX);
}
