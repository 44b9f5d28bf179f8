// acl_toggle: associates (on) or dissociates (off) a White ACL of --entries entries with the
// one listener of a running openalb, waiting until the change is served. The ACL is made once
// (named bench-acl): --entries - 1 random /24 blocks of 10.0.0.0/8 and 127.0.0.1/32 last, so
// the benchmark's own client is admitted only by the deepest match. For bench/run-tls.
//
// Usage: node bench/acl_toggle.js --endpoint 127.0.0.1:PORT --data-dir DIR --mode on|off
//          [--entries 1000]
'use strict';
const { arg, openalbClient } = require('./openalb_client');

async function main() {
  const { call } = openalbClient(arg('endpoint'), arg('data-dir'));
  const job = async (jobId) => {
    for (;;) {
      const { Status, ErrorMessage } = (await call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0];
      if (Status === 'Failed') throw new Error(ErrorMessage);
      if (Status === 'Succeeded') return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const listenerId = (await call('ListListeners', {})).Listeners[0].ListenerId;
  let acl = (await call('ListAcls', { 'AclNames.1': 'bench-acl' })).Acls[0]?.AclId;
  if (!acl) {
    const created = await call('CreateAcl', { AclName: 'bench-acl' });
    acl = created.AclId;
    await job(created.JobId);
    const entries = new Set();
    const total = Number(arg('entries', '1000'));
    while (entries.size < total - 1) {
      entries.add(`10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.0/24`);
    }
    const all = [...entries, '127.0.0.1/32'];
    for (let i = 0; i < all.length; i += 20) {
      const params = { AclId: acl };
      all.slice(i, i + 20).forEach((entry, k) => { params[`AclEntries.${k + 1}.Entry`] = entry; });
      await job((await call('AddEntriesToAcl', params)).JobId);
    }
  }
  if (arg('mode') === 'on') {
    await job((await call('AssociateAclsWithListener', { ListenerId: listenerId, 'AclIds.1': acl, AclType: 'White' })).JobId);
  } else {
    await job((await call('DissociateAclsFromListener', { ListenerId: listenerId, 'AclIds.1': acl })).JobId);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
