"""asyncio: 5000 tasks suspended at different awaits (a queue, an event, a
lock, a future, nested coroutines), each holding its own Job; the dump runs
inside a coroutine of the running loop."""
import asyncio

PREFIXES = ("prog_asyncio.", "asyncio.", "_asyncio.")
CLASS = "prog_asyncio.Job"


class Job:
    def __init__(self, i):
        self.i = i
        self.data = ["job-%d" % i, {"n": i}]


async def inner(job, fut):
    return await fut


async def runner(i, queue, event, lock, futs):
    job = Job(i)
    kind = i % 4
    if kind == 0:
        await queue.get()
    elif kind == 1:
        await event.wait()
    elif kind == 2:
        async with lock:
            await event.wait()
    else:
        await inner(job, futs[i % len(futs)])
    return job


async def amain(checkpoint):
    loop = asyncio.get_running_loop()
    queue, event, lock = asyncio.Queue(), asyncio.Event(), asyncio.Lock()
    futs = [loop.create_future() for _ in range(100)]
    tasks = [asyncio.create_task(runner(i, queue, event, lock, futs), name="t%d" % i)
             for i in range(5000)]
    await asyncio.sleep(0.05)
    checkpoint()
    event.set()
    for f in futs:
        f.set_result(None)
    for _ in range(5000):
        queue.put_nowait(None)
    done = await asyncio.gather(*tasks)
    return {"tasks": len(tasks), "jobs": len(done)}


def main(checkpoint):
    return asyncio.run(amain(checkpoint))
