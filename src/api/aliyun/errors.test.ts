import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TusouError } from '../../domain/index.js';
import { aliyunError, errorBody, ossErrorXml } from './errors.js';

describe('Alibaba error codes per action', () => {
  test('the catalogue code and status apply unless the action overrides them', () => {
    const region = new TusouError('REGION_INVALID', { got: '"1,0,0,1"', reason: 'x1 < x2' });
    assert.deepEqual([aliyunError(region, 'SearchImageByPic').code, aliyunError(region, 'AddImage').code], ['InvalidRegion', 'RegionError']);
    const format = new TusouError('IMAGE_FORMAT_UNSUPPORTED', { format: 'bmp' });
    assert.deepEqual(aliyunError(format, 'AddImage'), { code: 'UnsupportedPicFormat', status: 400, message: format.message });
    assert.equal(aliyunError(format, 'CompareSimilarByImage').code, 'UnsupportedPictureFormat');
  });

  test('control-plane actions and CompareSimilarByImage name a missing instance Console.InstanceNotFound', () => {
    const missing = new TusouError('INSTANCE_NOT_FOUND', { name: 'x' });
    for (const action of ['Detail', 'DumpMeta', 'DumpMetaList', 'IncreaseInstance', 'IncreaseList', 'CompareSimilarByImage']) {
      assert.deepEqual([aliyunError(missing, action).code, aliyunError(missing, action).status], ['Console.InstanceNotFound', 400], action);
    }
    assert.equal(aliyunError(missing, 'SearchImageByPic').code, 'InvalidInstance');
    assert.equal(aliyunError(new TusouError('PARAM_INVALID', { field: 'PageSize', expected: '1..500', got: '501' }), 'DumpMetaList').code, 'Console.BadRequest');
  });

  test('a missing picture of CompareSimilarByImage is named by its parameter', () => {
    assert.equal(aliyunError(new TusouError('PARAM_MISSING', { field: 'PrimaryPicContent' }), 'CompareSimilarByImage').code, 'InvalidPrimaryPicContent');
    assert.equal(aliyunError(new TusouError('PARAM_MISSING', { field: 'Action' }), 'CompareSimilarByImage').code, 'MissingAction');
  });

  test('the JSON envelope and the OSS XML envelope carry code, message and request id', () => {
    const e = { status: 400, code: 'InvalidPicContent', message: 'too big <&>' };
    assert.deepEqual(errorBody(e, 'R1', 'h:1'), { RequestId: 'R1', HostId: 'h:1', Code: 'InvalidPicContent', Message: 'too big <&>' });
    assert.equal(ossErrorXml(e, 'R1', 'h:1'), '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidPicContent</Code><Message>too big &#60;&#38;&#62;</Message><RequestId>R1</RequestId><HostId>h:1</HostId></Error>');
  });
});
