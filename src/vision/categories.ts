// COCO-80 labels of the CenterNet detector and the table that maps them to the product category
// table (aliyun-imagesearch-api.md §2.6). docs/categories.md shows the same table for people.

import { OTHER_CATEGORY } from '../domain/index.js';

/** The 80 COCO labels in the detector's class order (class index = array index). */
export const COCO_LABELS: readonly string[] = Object.freeze([
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
]);

const BAG = 3;
const ACCESSORIES = 5;
const SNACK = 6;
const MAKEUP = 7;
const BOTTLE = 8;
const FURNITURE = 9;
const TOY = 20;
const DIGITAL = 22;

/**
 * COCO label → product category id. Labels that are absent (only `person`) predict nothing: a
 * person says the picture shows clothing but not whether tops, dress, bottoms or underwear, and a
 * wrong guess would hide results, because product searches stay within the predicted category.
 */
export const COCO_TO_PRODUCT_CATEGORY: Readonly<Record<string, number>> = Object.freeze({
  backpack: BAG, handbag: BAG, suitcase: BAG,
  tie: ACCESSORIES, umbrella: ACCESSORIES, clock: ACCESSORIES,
  banana: SNACK, apple: SNACK, sandwich: SNACK, orange: SNACK, broccoli: SNACK, carrot: SNACK,
  'hot dog': SNACK, pizza: SNACK, donut: SNACK, cake: SNACK,
  toothbrush: MAKEUP,
  bottle: BOTTLE, 'wine glass': BOTTLE, cup: BOTTLE,
  chair: FURNITURE, couch: FURNITURE, bed: FURNITURE, 'dining table': FURNITURE, bench: FURNITURE,
  toilet: FURNITURE, sink: FURNITURE,
  'teddy bear': TOY, kite: TOY, frisbee: TOY, 'sports ball': TOY,
  tv: DIGITAL, laptop: DIGITAL, mouse: DIGITAL, remote: DIGITAL, keyboard: DIGITAL, 'cell phone': DIGITAL,
  microwave: DIGITAL, oven: DIGITAL, toaster: DIGITAL, refrigerator: DIGITAL, 'hair drier': DIGITAL,
  ...Object.fromEntries([
    'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant',
    'stop sign', 'parking meter', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra',
    'giraffe', 'skis', 'snowboard', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket',
    'fork', 'knife', 'spoon', 'bowl', 'potted plant', 'book', 'vase', 'scissors',
  ].map((label) => [label, OTHER_CATEGORY])),
});

/** The product category a detector label predicts, or undefined when it predicts none. */
export function categoryOfLabel(label: string): number | undefined {
  return Object.hasOwn(COCO_TO_PRODUCT_CATEGORY, label) ? COCO_TO_PRODUCT_CATEGORY[label] : undefined;
}
