import { describe, expect, it } from 'vitest';
import { checkSavedParams } from '../../src/features/validate.ts';
import { SoftmaxModel } from '../../src/models/softmax/softmax.ts';
import { StackedModel } from '../../src/models/stacked/stacked.ts';

describe('checkSavedParams, the check of a saved parameter-list model', () => {
  it('refuses another type, another version and a missing parameter list, each in its sentence', () => {
    expect(() => checkSavedParams({ type: 'SoftmaxModel', version: 1, theta: [0.5] }, 'SoftmaxModel')).not.toThrow();
    expect(() => checkSavedParams({ type: 'Other', version: 1, theta: [] }, 'SoftmaxModel')).toThrow('cannot load SoftmaxModel: the saved state is not a SoftmaxModel (type tag is "Other")');
    expect(() => checkSavedParams({ type: 'SoftmaxModel', version: 2, theta: [] }, 'SoftmaxModel')).toThrow('cannot load SoftmaxModel: unknown version 2');
    expect(() => checkSavedParams({ type: 'SoftmaxModel', version: 1 }, 'SoftmaxModel')).toThrow('cannot load SoftmaxModel: the saved state has no parameter list (theta)');
  });

  it('is what the softmax and stacked models check when loading', () => {
    expect(() => SoftmaxModel.fromJSON({ type: 'SoftmaxModel', version: 3 })).toThrow('cannot load SoftmaxModel: unknown version 3');
    expect(() => StackedModel.fromJSON({ type: 'StackedModel', version: 1, theta: 'x' })).toThrow('cannot load StackedModel: the saved state has no parameter list (theta)');
  });
});
