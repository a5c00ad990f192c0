import crypto from 'node:crypto';
import type { Server } from 'socket.io';

// Services publish here without knowing whether a socket server is attached (it is not in
// most HTTP tests); with REDIS_URL set, socket.io's adapter fans events out to every node.
let io: Server | undefined;

export function attachIo(server: Server | undefined): void {
  io = server;
}

export const rooms = {
  user: (id: string) => `user:${id}`,
  center: (id: string) => `center:${id}`,
  board: (centerId: string) => `board:${centerId}`,
  workshop: (id: string) => `workshop:${id}`,
  session: (id: string) => `session:${id}`,
  /** The sockets of one login session (hashed: room names travel through Redis). */
  login: (sessionId: string) => `login:${crypto.createHash('sha256').update(sessionId).digest('base64url')}`,
};

/**
 * Closes the sockets of a login session (at logout) or of a user (at a password change or when
 * an account is disabled), on every node: a socket opened before must not keep receiving that
 * user's events (issue 14, finding 5).
 */
export function disconnectRoom(room: string): void {
  io?.in(room).disconnectSockets(true);
}

export const disconnectSession = (sessionId: string) => disconnectRoom(rooms.login(sessionId));
export const disconnectUser = (userId: string) => disconnectRoom(rooms.user(userId));

export function emit(room: string | string[], event: string, payload: unknown): void {
  io?.to(room).emit(event, payload);
}
