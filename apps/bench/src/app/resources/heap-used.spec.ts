import { externalBytesOfExposition, heapUsedBytesOfExposition } from './heap-used';

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

describe('externalBytesOfExposition', () => {
  it("reads prom-client's nodejs_external_memory_bytes and not the heap beside it", () => {
    const exposition = [
      'nodejs_heap_size_used_bytes{service="executor"} 61440000',
      '# TYPE nodejs_external_memory_bytes gauge',
      'nodejs_external_memory_bytes{service="executor"} 5242880',
    ].join('\n');

    expect(externalBytesOfExposition(exposition)).toBe(5_242_880);
    expect(externalBytesOfExposition('nodejs_heap_size_used_bytes 1\n')).toBeNull();
  });
});
