// The live board: today's pieces of a workshop, pushed to its wall after every batch of entries.
import { Types } from 'mongoose';
import { Task } from '../../models/task.ts';
import { Membership } from '../../models/membership.ts';
import { boardOrders, boardStates, workshopStations, workshopTasks as tasksCache } from '../store/index.ts';
import { readRoster } from './roster.ts';
import { dayKey } from '../lib/format.ts';
import { emit, rooms } from '../realtime/hub.ts';
import { readSummaries, summaryIds } from './summaries.ts';

export interface BoardState {
  day: string;
  total: number;
  tasks: { id: string; name: string; unit: string; accepted: number }[];
  /** Today's pieces by work station (工位), in station order: no names, no ranking (see stations). */
  stations: { station: number; accepted: number }[];
  orders: { id: string; done: number; quantity: number }[];
}

/**
 * Work stations (工位) 1..n are the workshop's members in the order they joined (its roster,
 * roster.ts): a stable number a worker knows as theirs. The public wall shows stations, never
 * names, and in station order, so nobody is ranked by output in front of the village; names are
 * added for the workshop's own staff.
 */
export function stationNames(workshopId: string): Promise<Record<number, string>> {
  return workshopStations.get(workshopId, async () => {
    const { members } = await readRoster(workshopId);
    const docs = await Promise.all(members.map((m) => Membership.findById(m.id, { residentName: 1 }).lean()));
    return Object.fromEntries(docs.map((d, i) => [i + 1, d?.residentName ?? '']));
  });
}

/** A workshop's tasks (name order), through a short cache: every log form and board shows them. */
export function workshopTasks(workshopId: string) {
  return tasksCache.get(workshopId, () =>
    Task.find({ workshop: new Types.ObjectId(workshopId) }, { name: 1, unit: 1, rateFen: 1, active: 1 })
      .sort({ name: 1 })
      .lean(),
  );
}

/**
 * Today's pieces per task, the total and the top contributions (given names only, no money).
 * Kept for a second or two: a wall board full of viewers should not multiply database reads;
 * an entry logged on this node drops it at once (publishBoard).
 */
export function boardState(workshopId: string): Promise<BoardState> {
  return boardStates.get(workshopId, () => computeBoardState(workshopId));
}

async function computeBoardState(workshopId: string): Promise<BoardState> {
  const day = dayKey();
  // Every read by _id: this runs after each entry, and orders and memberships grow with the years.
  const [summaries, tasks, { orders, members }] = await Promise.all([
    readSummaries([summaryIds.shopDay(workshopId, day)]),
    workshopTasks(workshopId),
    readRoster(workshopId),
  ]);
  const stationOf = new Map(members.map((m, i) => [m.resident, i + 1]));
  let extra = members.length; // someone who logged today but has since left gets a number after the members
  const progress = await readSummaries(orders.map((o) => summaryIds.order(o.id)));
  const s = summaries.get(summaryIds.shopDay(workshopId, day))!;
  return {
    day,
    total: s.accepted,
    tasks: tasks
      .filter((t) => t.active || s.tasks[String(t._id)])
      .map((t) => ({ id: String(t._id), name: t.name, unit: t.unit, accepted: s.tasks[String(t._id)]?.accepted ?? 0 })),
    stations: Object.entries(s.workers)
      .filter(([, w]) => w.accepted > 0)
      .map(([worker, w]) => ({ station: stationOf.get(worker) ?? ++extra, accepted: w.accepted }))
      .sort((a, b) => a.station - b.station),
    orders: orders.map((o) => ({ id: o.id, done: progress.get(summaryIds.order(o.id))!.accepted, quantity: o.quantity })),
  };
}

export async function publishBoard(workshopId: string): Promise<void> {
  boardStates.drop(workshopId);
  boardOrders.drop(workshopId);
  try {
    emit(rooms.workshop(workshopId), 'workshop:board', await boardState(workshopId));
  } catch {
    /* the board catches up on the next entry or reload */
  }
}
