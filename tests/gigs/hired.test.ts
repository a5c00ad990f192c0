import assert from 'node:assert/strict';
import { agent, loggedIn, submit } from '../helpers/app.ts';
import { freshDemo, makeUser } from '../helpers/data.ts';
import type { SeedContext } from '../../server/seed/index.ts';
import * as applications from '../../server/gigs/service/applications.ts';
import { Employer } from '../../models/employer.ts';
import { publishedPosting, inDays } from './helpers.ts';
import { dayLabel, withPhoneLinks } from '../../server/gigs/view.ts';

/** Page text with Handlebars' attribute escapes undone, to read the links as a browser would. */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe('gigs: a hired worker is told when, where and whom to call', () => {
  let ctx: SeedContext;
  before(async function () {
    this.timeout(120_000);
    ctx = await freshDemo();
  });

  it('my applications shows the start day, hours, place with a map link and the employer as tel:, and no one-tap withdraw', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, {
      startDay: inDays(3),
      endDay: inDays(5),
      dailyHours: '8:00–17:00',
      address: '村委旁灯笼厂',
      contact: '王老板 13800000002',
    });
    const r = await makeUser({ role: 'resident', center: ctx.centers.miaoxi! });
    const appId = await applications.apply({ id: r.id }, id, { message: '', availability: '' });
    const emp = await loggedIn('13800000002');
    assert.equal((await submit(emp, `/employer/postings/${id}`, `/employer/applications/${appId}/accept`, {})).status, 302);
    const profile = await Employer.findOne({ user: ctx.users.employer }).lean();
    const ra = await loggedIn(r.phone);
    const page = { text: decoded((await ra.get('/me/applications')).text) };
    assert.match(page.text, /data-hired/);
    assert.ok(page.text.includes(dayLabel(inDays(3), 'zh-CN')), 'the start day, with weekday');
    assert.match(page.text, /8:00–17:00/);
    assert.match(page.text, /村委旁灯笼厂/);
    assert.match(page.text, /href="https:\/\/uri\.amap\.com\/search\?keyword=[^"]*%E6%9D%91%E5%A7%94%E6%97%81/, 'a map link for the place');
    assert.ok(page.text.includes(`href="tel:${profile!.phone.replace(/[^\d+]/g, '')}"`), 'the employer phone is tappable');
    assert.match(page.text, /href="tel:13800000002">13800000002<\/a>/, 'numbers in the contact text too');
    assert.doesNotMatch(page.text, new RegExp(`action="/me/applications/${appId}/withdraw"`), 'no one-tap withdraw once hired');
    assert.match(page.text, new RegExp(`href="/me/applications/${appId}/withdraw"`), 'a path that says: tell the employer');
    const confirm = await ra.get(`/me/applications/${appId}/withdraw?lang=en`);
    assert.match(confirm.text, /please call them first/);
    assert.match(confirm.text, /name="told"/);
  });

  it('the job page links phone numbers and the place, and shares without JavaScript', async () => {
    const id = await publishedPosting(ctx.users.employer!, ctx.centers.miaoxi!, {
      title: '分享测试',
      contact: '李姐 0576-85123456 或 13912345678',
      address: '大桥边',
    });
    const page = { text: decoded((await agent().get(`/gigs/${id}`)).text) };
    assert.match(page.text, /href="tel:057685123456">0576-85123456<\/a>/);
    assert.match(page.text, /href="tel:13912345678">13912345678<\/a>/);
    assert.match(page.text, /href="https:\/\/uri\.amap\.com\/search\?keyword=/);
    assert.match(page.text, /href="sms:\?&body=[^"]*%E5%88%86%E4%BA%AB/, 'an SMS share link with the title');
    assert.match(page.text, new RegExp(`readonly value="http[^"]*/gigs/${id}"`));
    assert.deepEqual(withPhoneLinks('无'), [{ text: '无' }]);
  });
});
