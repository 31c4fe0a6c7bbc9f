import { heapUsedBytesOfExposition } from './heap-used';

describe('heapUsedBytesOfExposition', () => {
  it("reads prom-client's nodejs_heap_size_used_bytes, labels and all", () => {
    const exposition = [
      '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      'nodejs_heap_size_total_bytes{service="executor"} 93847552',
      'nodejs_heap_size_used_bytes{service="executor"} 61440000',
      'nodejs_heap_space_size_used_bytes{space="old",service="executor"} 50000000',
    ].join('\n');

    expect(heapUsedBytesOfExposition(exposition)).toBe(61_440_000);
  });

  it('is null when the exposition has no such sample', () => {
    expect(heapUsedBytesOfExposition('process_resident_memory_bytes 1024\n')).toBeNull();
  });
});
