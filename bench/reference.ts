// The yardstick: TechEmpower "Fortunes" with bare Express + Mongoose + Handlebars and no
// middleware, against the same database as the app. PORT and MONGODB_URI from the environment.
import path from 'node:path';
import express from 'express';
import { engine } from 'express-handlebars';
import mongoose, { Schema } from 'mongoose';

const Fortune = mongoose.model('Fortune', new Schema({ _id: Number, message: String }, { versionKey: false }), 'fortunes');

export const FORTUNES = [
  'fortune: No such file or directory',
  "A computer scientist is someone who fixes things that aren't broken.",
  'After enough decimal places, nobody gives a damn.',
  'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1',
  'A computer program does what you tell it to do, not what you want it to do.',
  'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen',
  'Any program that runs right is obsolete.',
  'A list is only as strong as its weakest link. — Donald Knuth',
  'Feature: A bug with seniority.',
  'Computers make very fast, very accurate mistakes.',
  '<script>alert("This should not be displayed in a browser alert box.");</script>',
  'フレームワークのベンチマーク',
];

export async function seedFortunes(): Promise<void> {
  await Fortune.deleteMany({});
  await Fortune.insertMany(FORTUNES.map((message, i) => ({ _id: i + 1, message })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await mongoose.connect(process.env.MONGODB_URI!);
  const app = express();
  app.disable('x-powered-by');
  const here = path.dirname(new URL(import.meta.url).pathname);
  app.engine('hbs', engine({ extname: '.hbs', defaultLayout: false }));
  app.set('view engine', 'hbs');
  app.set('views', path.join(here, 'views'));
  app.enable('view cache');
  app.get('/fortunes', async (_req, res) => {
    const rows: { _id: number | null; message?: string | null }[] = await Fortune.find({}).lean();
    rows.push({ _id: 0, message: 'Additional fortune added at request time.' });
    rows.sort((a, b) => (a.message! < b.message! ? -1 : a.message! > b.message! ? 1 : 0));
    res.render('fortunes', { rows });
  });
  const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
  process.on('SIGTERM', () => server.close(() => mongoose.disconnect().then(() => process.exit(0))));
}
