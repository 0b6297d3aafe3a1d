// The action registry: API version → action name → handler. A new action is a file plus a line here.

import type { AccessNeed } from '../../../domain/index.js';
import type { Action } from './action.js';
import { addImage } from './add-image.js';
import { authorizeFileUpload } from './authorize-file-upload.js';
import { checkImageExists } from './check-image-exists.js';
import { compareSimilarByImage } from './compare-similar-by-image.js';
import { deleteImage } from './delete-image.js';
import { detail } from './detail.js';
import { dumpMetaList } from './dump-meta-list.js';
import { dumpMeta } from './dump-meta.js';
import { increaseInstance } from './increase-instance.js';
import { increaseList } from './increase-list.js';
import { searchImageByFilter } from './search-image-by-filter.js';
import { searchImageByName } from './search-image-by-name.js';
import { searchImageByPic } from './search-image-by-pic.js';
import { searchImageByText } from './search-image-by-text.js';
import { updateImage } from './update-image.js';

export type { Action, ActionContext } from './action.js';

/** ImageSearch 2020-12-14, and OpenPlatform 2019-12-19 for the *Advance uploads. */
export const ACTIONS: Readonly<Record<string, Readonly<Record<string, Action>>>> = Object.freeze({
  '2020-12-14': Object.freeze({
    AddImage: addImage,
    SearchImageByPic: searchImageByPic,
    SearchImageByName: searchImageByName,
    SearchImageByText: searchImageByText,
    SearchImageByFilter: searchImageByFilter,
    CheckImageExists: checkImageExists,
    DeleteImage: deleteImage,
    UpdateImage: updateImage,
    CompareSimilarByImage: compareSimilarByImage,
    Detail: detail,
    DumpMeta: dumpMeta,
    DumpMetaList: dumpMetaList,
    IncreaseInstance: increaseInstance,
    IncreaseList: increaseList,
  }),
  '2019-12-19': Object.freeze({
    AuthorizeFileUpload: authorizeFileUpload,
  }),
});

/**
 * What each action needs from the caller's key on the instance it names (InstanceName). Actions
 * that do not change images are `read`, so read-only keys can search, check, export and upload a
 * query picture; an action missing here needs `write`.
 */
export const ACTION_ACCESS: Readonly<Record<string, AccessNeed>> = Object.freeze({
  SearchImageByPic: 'read',
  SearchImageByName: 'read',
  SearchImageByText: 'read',
  SearchImageByFilter: 'read',
  CheckImageExists: 'read',
  CompareSimilarByImage: 'read',
  Detail: 'read',
  DumpMeta: 'read',
  DumpMetaList: 'read',
  IncreaseList: 'read',
  AuthorizeFileUpload: 'read',
  AddImage: 'write',
  DeleteImage: 'write',
  UpdateImage: 'write',
  IncreaseInstance: 'write',
});
