// The outbox through HTTP: a person chooses SMS on /me/notifications, notifications then go out
// as short texts in their language naming only their first name, course reminders use it, and
// staff see what was sent for their own center only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import { NotificationPrefs } from '../../models/notification-prefs.ts';
import { Notification } from '../../models/notification.ts';
import { OutboxMessage } from '../../models/outbox-message.ts';
import { devGateway } from '../../server/outbox/gateway.ts';
import { sendDueMessages } from '../../server/outbox/sender.ts';
import { firstName, smsText } from '../../server/outbox/sms-text.ts';
import { sendSessionReminders } from '../../server/courses/reminders.ts';
import { notify } from '../../server/notifications/service.ts';
import { makeCourse } from '../courses/fixtures.ts';
import { chooseSms, emptyOutbox, logLines, removeTempLogs, tempLog } from './helpers.ts';

const PREFS = '/me/notifications';

async function enrolOverHttp(ag: ReturnType<typeof agent>, courseId: string) {
  const res = await submit(ag, `/courses/${courseId}`, `/courses/${courseId}/enrol`, {});
  assert.equal(res.status, 302);
}

describe('outbox: channels, texts and the staff page', function () {
  this.timeout(120_000);
  let ctx: SeedContext;
  before(async () => {
    ctx = await freshDemo();
  });
  beforeEach(emptyOutbox);
  after(removeTempLogs);

  it('saves the choice of channels and language; refuses bad input with the form back', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const ag = await loggedIn(u.phone);
    const page = await ag.get(PREFS);
    assert.equal(page.status, 200);
    assert.match(page.text, /value="site"[^>]* checked/, 'on the site only until they choose');
    assert.match(page.text, new RegExp(`${u.phone.slice(0, 3)}\\*\\*\\*\\*${u.phone.slice(-4)}`), 'says which number, partly hidden');

    const bad = await submit(ag, PREFS, PREFS, { channels: 'fax', lang: 'en' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /class="error" id="e-channels"/);
    assert.match(bad.text, /name="lang" value="en" checked/, 'what was chosen comes back');
    assert.equal(await NotificationPrefs.countDocuments({ _id: u.id }), 0);

    const ok = await submit(ag, PREFS, PREFS, { channels: 'sms', lang: 'en' });
    assert.equal(ok.status, 302);
    const saved = (await NotificationPrefs.findById(u.id).lean())!;
    assert.equal(saved.sms, true);
    assert.equal(saved.lang, 'en');
    const again = await ag.get(PREFS);
    assert.match(again.text, /value="sms"[^>]* checked/);
    assert.match(again.text, /name="lang" value="en" checked/);
    assert.match(again.text, /已保存|Saved/);

    const off = await submit(ag, PREFS, PREFS, { channels: 'site', lang: 'zh-CN' });
    assert.equal(off.status, 302);
    assert.equal((await NotificationPrefs.findById(u.id).lean())!.sms, false);
    // No token, no change.
    const forged = await ag.post(PREFS).type('form').send({ channels: 'sms', lang: 'zh-CN' });
    assert.equal(forged.status, 403);
    assert.equal((await NotificationPrefs.findById(u.id).lean())!.sms, false);
  });

  it('is linked from /me and the message list; staff have no such page', async () => {
    const ag = await loggedIn('13800000003');
    assert.match((await ag.get('/me')).text, /href="\/me\/notifications"/);
    assert.match((await ag.get('/notifications')).text, /href="\/me\/notifications"/);
    const staff = await loggedIn('13800000001');
    assert.equal((await staff.get(PREFS)).status, 403);
    assert.match((await staff.get('/staff')).text, /href="\/staff\/outbox"/);
  });

  it('enrolling sends a text in the resident’s language, by first name only, once', async () => {
    const zh = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '欧阳娜娜' });
    const en = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '金士媖' });
    const quiet = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '不要短信' });
    for (const [u, lang] of [
      [zh, 'zh-CN'],
      [en, 'en'],
    ] as const)
      await submit(await loggedIn(u.phone), PREFS, PREFS, { channels: 'sms', lang });
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, title: '家政服务员（育婴方向）初级培训班' });
    for (const u of [zh, en, quiet]) await enrolOverHttp(await loggedIn(u.phone), courseId);
    assert.equal(await Notification.countDocuments({ type: 'courseEnrolled', user: { $in: [zh.id, en.id, quiet.id] } }), 3, 'everyone is told on the site');
    assert.equal(await OutboxMessage.countDocuments({ user: quiet.id }), 0, 'no text for someone who chose the site only');

    const file = tempLog();
    await sendDueMessages(devGateway(file));
    await sendDueMessages(devGateway(file));
    const lines = logLines(file);
    assert.equal(lines.length, 2);
    const zhLine = lines.find((l) => l.to === zh.phone)!;
    const enLine = lines.find((l) => l.to === en.phone)!;
    assert.match(zhLine.text, /^【家门口】娜娜您好，您已报上“家政服务员/);
    assert.doesNotMatch(zhLine.text, /欧阳/, 'no surname');
    assert.match(enLine.text, /^\[Doorstep\] Hi 士媖, you have a seat in "/);
    assert.doesNotMatch(enLine.text, /金/);
    assert.ok([...zhLine.text].length <= 70, `one segment: ${zhLine.text}`);
    assert.ok([...enLine.text].length <= 134, `at most two segments: ${enLine.text}`);
    for (const l of lines) assert.doesNotMatch(l.text, /\d{7,}/, 'no phone numbers in the text');
  });

  it('course reminders the day before go out by SMS once, with the time in the resident’s language', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: 'Li Wei' });
    await chooseSms(u.id, 'en');
    const courseId = await makeCourse({ center: ctx.centers.miaoxi!, title: 'Baking basics', sessions: 2, firstStart: new Date(Date.now() + 5 * 3600_000) });
    await enrolOverHttp(await loggedIn(u.phone), courseId);
    await OutboxMessage.deleteMany({ user: u.id, type: 'courseEnrolled' });
    await Promise.all([sendSessionReminders(), sendSessionReminders()]);
    await sendSessionReminders();
    const msgs = await OutboxMessage.find({ user: u.id, type: 'courseReminder' }).lean();
    assert.equal(msgs.length, 1);
    assert.match(msgs[0]!._id, /^sms:reminder:[a-f\d]{24}:[a-f\d]{24}$/, 'keyed by session and resident');
    assert.match(msgs[0]!.text, /^\[Doorstep\] Hi Li, class tomorrow: "Baking basics", \w{3}, \w{3} \d+, \d\d:\d\d, place on the course page\.$/);
    assert.doesNotMatch(msgs[0]!.text, /Wei/);
  });

  it('staff see the texts of their own center (numbers hidden); other centers’ staff do not', async () => {
    const u = await makeUser({ role: 'resident', center: ctx.centers.miaoxi!, name: '庙西阿婆' });
    await chooseSms(u.id);
    await notify(u.id, 'workshopPaid', { month: '2026-11' }, '/me/work');
    await sendDueMessages(devGateway(tempLog()));
    const masked = `${u.phone.slice(0, 3)}****${u.phone.slice(-4)}`;

    const own = await (await loggedIn('13800000001')).get('/staff/outbox');
    assert.equal(own.status, 200);
    assert.match(own.text, /婆您好，您2026年11月的计件工资已发放/);
    assert.ok(own.text.includes(masked));
    assert.ok(!own.text.includes(u.phone), 'the full number is not shown');
    assert.match(own.text, /已发送/);

    const far = await (await loggedIn('13800000005')).get('/staff/outbox');
    assert.equal(far.status, 200);
    assert.ok(!far.text.includes(masked) && !far.text.includes('计件工资已发放'), 'Xunqiao staff do not see Miaoxi texts');

    const admin = await (await loggedIn('13800000000')).get('/staff/outbox?status=sent');
    assert.ok(admin.text.includes(masked));
    const failedOnly = await (await loggedIn('13800000001')).get('/staff/outbox?status=failed');
    assert.ok(!failedOnly.text.includes(masked), 'the status filter works');

    assert.equal((await (await loggedIn(u.phone)).get('/staff/outbox')).status, 403);
    const anon = await agent().get('/staff/outbox');
    assert.equal(anon.status, 302);
  });

  it('texts: first names, no template no text, long titles shortened to one segment', () => {
    assert.equal(firstName('金士媖'), '士媖');
    assert.equal(firstName('欧阳娜娜'), '娜娜');
    assert.equal(firstName('王芳'), '芳');
    assert.equal(firstName('Li Wei'), 'Li');
    assert.equal(firstName('李'), '李');
    assert.equal(smsText('gigApplicationReceived', { name: '张三', title: 'x' }, '王老板', 'zh-CN'), null, 'texts that would name someone else are not sent');
    // Every template, with every value it names far too long, still fits its segment(s).
    for (const lang of ['zh-CN', 'en'] as const) {
      const catalog = JSON.parse(fs.readFileSync(`server/i18n/${lang}/outbox.json`, 'utf8')) as { sms: Record<string, string> };
      for (const [type, template] of Object.entries(catalog.sms)) {
        const params = Object.fromEntries(
          [...template.matchAll(/\{\{(\w+)\}\}/g)].map(([, k]) => [
            k!,
            k === 'until' ? '2026年12月2日周三 09:00' : k === 'untilEn' ? 'Wed, Dec 2, 2026, 09:00' : '很长的名称'.repeat(10),
          ]),
        );
        const text = smsText(type, params, '欧阳娜娜', lang)!;
        assert.ok([...text].length <= (lang === 'en' ? 134 : 70), `${lang} ${type}: ${[...text].length} ${text}`);
        assert.ok(text.includes('娜娜') && !text.includes('欧阳'), `${lang} ${type}: first name only`);
        if (params.until) assert.ok(text.includes(lang === 'en' ? params.untilEn! : params.until), `${lang} ${type}: the deadline is kept whole`);
      }
    }
    const long = smsText(
      'courseReminder',
      {
        course: '很长很长很长很长很长很长很长很长的课程名称',
        venue: '浙江省台州市临海市汛桥镇庙西村党群服务中心二楼多功能培训教室',
        startsAt: '2026-12-02T01:00:00Z',
      },
      '金士媖',
      'zh-CN',
    )!;
    assert.ok([...long].length <= 70, long);
    assert.match(long, /^【家门口】士媖您好，明天上课/);
  });
});
