import argon2 from 'argon2';

// Verifying against this when the phone is unknown keeps both failures in the same timing class.
const DUMMY_HASH = await argon2.hash('doorstep-timing-equaliser');

export const hashPassword = (plain: string) => argon2.hash(plain, { type: argon2.argon2id });

export async function verifyPassword(hash: string | null | undefined, plain: string): Promise<boolean> {
  try {
    return (await argon2.verify(hash || DUMMY_HASH, plain)) && !!hash;
  } catch {
    return false;
  }
}
