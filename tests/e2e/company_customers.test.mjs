// The company's customers stay with the company, tried as a new organisation would: two reps and
// their supervisor sign in online in three browsers. Each rep's device holds only that rep's
// customers; the supervisor's holds the team's. The supervisor hands one customer from one rep to
// the other: it leaves the first rep's device and arrives on the second's with its visit history.
// Then the admin revokes the first rep's device, and at its next contact its data is gone.
import { assert, openApp, run, screenshot, waitForState } from './lib/harness.mjs';
import { post, setUpOrganisation, signInOnline, startFreshRelay } from './lib/relay_helpers.mjs';
import { addCustomer, logVisit, openCustomer, pointer, search } from './lib/workflow_helpers.mjs';

const zhang = ['张三的中山门窗', '张三的小榄五金'];
const li = '李四的顺德建材';
const visit = '第一次上门量尺寸，客户想换断桥铝窗';

async function adminGet(relay, admin, path) {
  const response = await fetch(`${relay.url}${path}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  assert(response.ok, `${path}: HTTP ${response.status}`);
  return response.json();
}

const holds = (s, names) => names.every((n) => s.customers.includes(n));
const holdsNone = (s, names) => names.every((n) => !s.customers.includes(n));

await run('company_customers', [
  ['two reps and a supervisor: each device holds its scope, a hand-over moves a customer with its history, a revoke wipes', async ({ browser }) => {
    const relay = await startFreshRelay();
    const contexts = [];
    try {
      // The admin sets up the team as the README says: a supervisor, a team, two reps in it.
      const admin = await setUpOrganisation(relay);
      const boss = await post(`${relay.url}v1/admin/users`, { name: '王主管', role: 'supervisor', password: 'wangzhuguan-2026' }, admin.token);
      const team = await post(`${relay.url}v1/admin/teams`, { name: '华东组', supervisor_id: boss.user_id }, admin.token);
      const { users } = await adminGet(relay, admin, 'v1/admin/users');
      const zhangUser = users.find((u) => u.name === '张三');
      await post(`${relay.url}v1/admin/users/${zhangUser.id}/team`, { team_id: team.team_id }, admin.token);
      await post(`${relay.url}v1/admin/users`, { name: '李四', role: 'rep', password: 'lisi-2026', team_id: team.team_id }, admin.token);

      const open = async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
        contexts.push(context);
        return { context, page: (await openApp(context, relay.url)).page };
      };
      const a = await open();
      const b = await open();
      const s = await open();
      await signInOnline(a.page, '张三@美家门窗', 'zhangsan-2026');
      await signInOnline(b.page, '李四@美家门窗', 'lisi-2026');
      await signInOnline(s.page, '王主管@美家门窗', 'wangzhuguan-2026');

      // Each rep adds customers; 张三 logs a visit on his first.
      const inputA = pointer(a.page, false);
      const inputB = pointer(b.page, false);
      const inputS = pointer(s.page, false);
      for (const [i, name] of zhang.entries()) await addCustomer(a.page, inputA, { name, phone: `1371111000${i}` });
      await openCustomer(a.page, inputA, zhang[0]);
      await logVisit(a.page, inputA, visit);
      await addCustomer(b.page, inputB, { name: li, phone: '13722220000' });
      await waitForState(a.page, (x) => x.sync.pending === 0 && x.sync.online, '张三\'s work at the relay', 30000);
      await waitForState(b.page, (x) => x.sync.pending === 0 && x.sync.online, '李四\'s work at the relay', 30000);

      // The supervisor's device holds the team's customers; each rep's only their own.
      await waitForState(s.page, (x) => holds(x, [...zhang, li]), 'the team\'s customers on the supervisor\'s device', 40000);
      const relayHead = (await waitForState(s.page, (x) => x.sync.pending === 0, 'the supervisor level')).sync.confirmedSeq;
      let seenA = await waitForState(a.page, (x) => x.sync.confirmedSeq >= relayHead, '张三 past 李四\'s customer', 30000);
      let seenB = await waitForState(b.page, (x) => x.sync.confirmedSeq >= relayHead, '李四 past 张三\'s customers', 30000);
      assert(holds(seenA, zhang) && holdsNone(seenA, [li]), `张三's device: ${seenA.customers.join(', ')}`);
      assert(holds(seenB, [li]) && holdsNone(seenB, zhang), `李四's device: ${seenB.customers.join(', ')}`);
      await screenshot(a.page, 'company-customers-rep-zhang');
      await screenshot(s.page, 'company-customers-supervisor');

      // The supervisor hands 张三's first customer to 李四.
      await search(s.page, inputS, zhang[0].slice(0, 4), zhang[0]);
      const detail = await openCustomer(s.page, inputS, zhang[0]);
      const to = detail.users.indexOf('李四');
      assert(to >= 0, `李四 among the people: ${detail.users}`);
      await inputS.pick('reassign_to', `reassign_to_${to}`);
      await inputS.press('reassign_one');
      await waitForState(s.page, (x) => x.sync.pending === 0, 'the hand-over at the relay', 30000);
      await s.page.keyboard.press('Escape');
      await waitForState(s.page, (x) => !x.detail.open, 'the supervisor back at the list');

      // It arrives on 李四's device with 张三's visit, and leaves 张三's.
      seenB = await waitForState(b.page, (x) => holds(x, [zhang[0], li]), 'the customer on 李四\'s device', 40000);
      await search(b.page, inputB, zhang[0].slice(0, 4), zhang[0]);
      const arrived = await openCustomer(b.page, inputB, zhang[0]);
      assert(arrived.detail.activities.includes(visit), `the visit came with it: ${JSON.stringify(arrived.detail.activities)}`);
      assert(arrived.sync.unseenConflicts === 0, `a hand-over is no conflict on the receiving device: ${arrived.sync.unseenConflicts}`);
      await screenshot(b.page, 'company-customers-arrived-with-history');
      // 张三 still has its page open: it says the customer is no longer on this device; back in the list, it is gone.
      seenA = await waitForState(a.page, (x) => x.records.customers === 1 && x.detail.error !== '', 'the customer gone from 张三\'s device', 40000);
      assert(seenA.detail.error.includes('已转给其他同事'), `the open page explains: ${seenA.detail.error}`);
      await screenshot(a.page, 'company-customers-left-device');
      await a.page.keyboard.press('Escape');
      seenA = await waitForState(a.page, (x) => !x.detail.open && !x.customers.includes(zhang[0]), 'the list without the customer');
      assert(seenA.customers.includes(zhang[1]), `张三 keeps his other customer: ${seenA.customers.join(', ')}`);

      // The admin revokes 张三's device; at its next contact its data is gone.
      const { devices } = await adminGet(relay, admin, 'v1/admin/devices');
      const device = devices.find((d) => d.user_id === zhangUser.id);
      assert(device, `张三's device in ${JSON.stringify(devices)}`);
      await post(`${relay.url}v1/admin/devices/${device.id}/revoke`, {}, admin.token);
      await post(`${relay.url}v1/admin/teams`, { name: '华南组' }, admin.token);  // ends the held pull at once
      const wiped = await waitForState(a.page, (x) => x.screen === 'welcome' && x.wipedNotice, 'the wiped notice on 张三\'s device', 40000);
      assert(wiped.records.customers === 0, `customers left on 张三's device: ${wiped.records.customers}`);
      await screenshot(a.page, 'company-customers-revoked');
      // 李四 and the supervisor keep everything: the customers belong to the company.
      // (Its list still shows the search for the handed-over customer: the count is the device's.)
      const kept = await waitForState(s.page, (x) => x.sync.confirmedSeq > 0, 'the supervisor\'s device');
      assert(kept.records.customers === 3, `the supervisor's device holds ${kept.records.customers} customers`);
    } finally {
      for (const context of contexts) await context.close();
      relay.stop();
    }
  }],
]);
