export { StratumV2Session, type V2SessionOptions, type V2SessionStats } from './session';
export { parseV2Url, formatV2Url, isV2Url, type V2Endpoint } from './url';
export { encodeAuthorityKey, decodeAuthorityKey, signCertificate, certificateProblem, CERT_TIME_LEEWAY_S } from './authority';
export { ellswiftCreate, ellswiftDecode, ellswiftEcdhX, bip324Ecdh, xswiftec, xswiftecInv, type EllswiftKey } from './ellswift';
export { MESSAGES, encodePayload, decodePayload, specForType, messageSpec, type MessageName, type Fields, type Sv2Message } from './messages';
export { encodeFrame, decodeFrame, encodeHeader, decodeHeader, CHANNEL_MSG_MASK } from './frame';
export { NoiseInitiator, NoiseResponder, CipherState, PROTOCOL_NAME, ACT1_LEN, ACT2_LEN } from './noise';
export { encryptFrame, FrameDecryptor, encryptedLength } from './transport';
export { ChannelJobs, targetToDifficulty, u256Le, leU256, SCRYPT_DIFF1 } from './channelJobs';
