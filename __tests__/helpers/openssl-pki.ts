/**
 * The openssl CA and leaf helpers of scripts/control-plane/pki.cjs (their one home: the control
 * plane's CLI uses them too), typed for the tests.
 */
interface LeafOptions {
  readonly name: string;
  readonly subject: string;
  /** openssl extfile text (subjectAltName, extendedKeyUsage, ...). */
  readonly ext: string;
  /** The CA's file name in the same directory, without .crt/.key. */
  readonly issuer: string;
  readonly serial: number;
  readonly days?: number;
}

const pki = require("../../scripts/control-plane/pki.cjs") as {
  makeCa(dir: string, name: string, commonName: string, days?: number): Promise<void>;
  signLeaf(dir: string, options: LeafOptions): Promise<void>;
};

export const makeCa = pki.makeCa;
export const signLeaf = pki.signLeaf;
