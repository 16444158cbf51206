"""What compressing an event stream would cost (docs/benchmarks.md, "Compression"): a stream
would need a deflate compressor of its own, flushed after every event, over the frames it is
sent. Reads real frames (an SSE capture, events separated by blank lines) and replays them
through one gzip compressor per simulated stream: bytes on the wire and CPU per event.

    python3 scripts/sse_compression.py FRAMES_FILE
"""
import sys
import time
import zlib

frames = [f + b"\n\n" for f in open(sys.argv[1], "rb").read().split(b"\n\n") if f.startswith(b"id:")]
streams = 200
raw = wire = 0
start = time.process_time()
for _ in range(streams):
    stream = zlib.compressobj(6, zlib.DEFLATED, 31)
    for frame in frames:
        raw += len(frame)
        wire += len(stream.compress(frame)) + len(stream.flush(zlib.Z_SYNC_FLUSH))
spent = time.process_time() - start
start = time.process_time()
for _ in range(streams):
    for frame in frames:
        len(frame)
spent -= time.process_time() - start
events = streams * len(frames)
print(f"{len(frames)} events per stream: {raw / events:.0f} B raw, {wire / events:.0f} B gzip-flushed "
      f"per event; {spent / events * 1e6:.1f} us of CPU per event per stream; "
      f"each stream holds a compressor of ~256 KiB (zlib's default window and memory level)")
