import QRCode from 'qrcode';
import { qrCodes } from '../store/index.ts';

/**
 * The one QR code: SVG markup from the qrcode library (safe to embed), kept per address since
 * an address always gives the same code (a lobby board shows one per card on every refresh).
 */
export function qrSvg(url: string): Promise<string> {
  return qrCodes.get(url, () => QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }));
}
