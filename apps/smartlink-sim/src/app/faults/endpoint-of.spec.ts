import { endpointOf } from './endpoint-of';

describe('endpointOf', () => {
  it.each([
    ['/totvs.rac/connect/token', 'token'],
    ['/api/v1/link/setup', 'setup'],
    ['/api/v1/link/get?max=10', 'get'],
    ['/api/v1/link/ack', 'ack'],
    ['/api/v1/link/send/SGDPMaskResponse/SGDP', 'send'],
    ['/admin/stats', null],
    ['/api/v1/link/getx', null],
    ['/', null],
  ])('classifies %s as %s', (url, endpoint) => {
    expect(endpointOf(url)).toBe(endpoint);
  });
});
