// The producer and inspector of the BullMQ intake's tests: RelayBox's realtime service enqueues
// presence jobs exactly like this (relaybox/core, bullmq 5.16.0), and BullMQ's own API reads the
// queue back. Usage: node bullmq.js <command> '<json arguments>'; prints one JSON value.
// presence-bench runs `stream` (below) as its BullMQ producer.
const { Queue } = require('bullmq');
const readline = require('readline');

const connection = {
  host: process.env.REDIS_HOST || '127.0.0.1',
  port: Number(process.env.REDIS_PORT || 6379),
};

const commands = {
  // As the realtime service: removeOnComplete true, removeOnFail false, unless a job says otherwise.
  async add(queue, { jobs }) {
    const ids = [];
    for (const job of jobs) {
      const opts = job.opts || { removeOnComplete: true, removeOnFail: false };
      ids.push((await queue.add(job.name, job.data, opts)).id);
    }
    return ids;
  },
  // The bench's producer: jobs as JSON lines {"name", "data"} on stdin, each added as the realtime
  // service adds it, many at once across rooms (as its many websockets do) but one after the other
  // within a room, so a room's jobs enter the queue in their order. Prints the number added so far,
  // a line at a time, as adds complete; returns the total when stdin ends.
  async stream(queue) {
    const behind = new Map();
    let added = 0;
    let reported = 0;
    let failure = null;
    const report = () => {
      if (added !== reported) {
        reported = added;
        process.stdout.write(added + '\n');
      }
    };
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (failure) throw failure;
      if (!line) continue;
      const job = JSON.parse(line);
      const room = job.data.nspRoomId;
      const next = (behind.get(room) || Promise.resolve())
        .then(() => queue.add(job.name, job.data, { removeOnComplete: true, removeOnFail: false }))
        .then(() => { added++; setImmediate(report); }, error => { failure = error; });
      behind.set(room, next);
    }
    await Promise.all(behind.values());
    if (failure) throw failure;
    report();
    return added;
  },
  async counts(queue) {
    return queue.getJobCounts();
  },
  async failed(queue) {
    return (await queue.getFailed()).map(job => ({ id: job.id, name: job.name, failedReason: job.failedReason }));
  },
  async completed(queue) {
    return (await queue.getCompleted()).map(job => ({ id: job.id, name: job.name, returnvalue: job.returnvalue }));
  },
  async job(queue, { id }) {
    const job = await queue.getJob(id);
    if (!job) return null;
    return { id: job.id, name: job.name, state: await job.getState(), failedReason: job.failedReason || null,
             attemptsStarted: job.attemptsStarted, finishedOn: job.finishedOn || null };
  },
  async pause(queue) {
    await queue.pause();
    return true;
  },
  async resume(queue) {
    await queue.resume();
    return true;
  },
  async events(queue) {
    const client = await queue.client;
    const entries = await client.xrange(queue.keys.events, '-', '+');
    return entries.map(([, fields]) => fields[1]);
  },
};

async function main() {
  const [command, json] = process.argv.slice(2);
  const args = JSON.parse(json || '{}');
  const queue = new Queue(args.queue, { connection, prefix: args.prefix, streams: { events: { maxLen: 100 } } });
  try {
    process.stdout.write(JSON.stringify(await commands[command](queue, args)));
  } finally {
    await queue.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
