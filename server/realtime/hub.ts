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
};

export function emit(room: string | string[], event: string, payload: unknown): void {
  io?.to(room).emit(event, payload);
}
