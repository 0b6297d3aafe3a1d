// Words people type for what tusou sees: the COCO object labels the detector gives and the
// product categories, each with Chinese names and simple synonyms, for text search.

import { PRODUCT_CATEGORIES } from './categories.js';

/** COCO label → extra words (Chinese name first, then English synonyms). */
export const LABEL_WORDS: Readonly<Record<string, readonly string[]>> = {
  person: ['人', '人物', 'people', 'man', 'woman', 'human'],
  bicycle: ['自行车', '单车', 'bike'],
  car: ['汽车', '车', 'automobile'],
  motorcycle: ['摩托车', 'motorbike'],
  airplane: ['飞机', 'plane', 'aircraft'],
  bus: ['公交车', '巴士'],
  train: ['火车', '列车'],
  truck: ['卡车', '货车', 'lorry'],
  boat: ['船', 'ship'],
  'traffic light': ['红绿灯', '交通灯'],
  'fire hydrant': ['消防栓', 'hydrant'],
  'stop sign': ['停车标志'],
  'parking meter': ['停车计时器'],
  bench: ['长椅', '长凳'],
  bird: ['鸟'],
  cat: ['猫', 'kitten'],
  dog: ['狗', 'puppy'],
  horse: ['马'],
  sheep: ['羊', '绵羊'],
  cow: ['牛', 'cattle'],
  elephant: ['大象', '象'],
  bear: ['熊'],
  zebra: ['斑马'],
  giraffe: ['长颈鹿'],
  backpack: ['背包', '双肩包', 'rucksack', 'bag'],
  umbrella: ['雨伞', '伞'],
  handbag: ['手提包', '包', 'purse', 'bag'],
  tie: ['领带', 'necktie'],
  suitcase: ['行李箱', '箱子', 'luggage'],
  frisbee: ['飞盘'],
  skis: ['滑雪板', 'ski'],
  snowboard: ['单板滑雪板'],
  'sports ball': ['球', 'ball', 'football', 'soccer ball', '足球'],
  kite: ['风筝'],
  'baseball bat': ['棒球棒'],
  'baseball glove': ['棒球手套'],
  skateboard: ['滑板'],
  surfboard: ['冲浪板'],
  'tennis racket': ['网球拍', 'racket'],
  bottle: ['瓶子', '瓶', '水瓶', 'water bottle', 'drink'],
  'wine glass': ['酒杯', 'glass'],
  cup: ['杯子', '杯', 'mug'],
  fork: ['叉子'],
  knife: ['刀'],
  spoon: ['勺子'],
  bowl: ['碗'],
  banana: ['香蕉', 'fruit'],
  apple: ['苹果', 'fruit'],
  sandwich: ['三明治'],
  orange: ['橙子', '橘子', 'fruit'],
  broccoli: ['西兰花', 'vegetable'],
  carrot: ['胡萝卜', 'vegetable'],
  'hot dog': ['热狗'],
  pizza: ['披萨'],
  donut: ['甜甜圈', 'doughnut'],
  cake: ['蛋糕'],
  chair: ['椅子', 'seat'],
  couch: ['沙发', 'sofa'],
  'potted plant': ['盆栽', '植物', 'plant'],
  bed: ['床'],
  'dining table': ['餐桌', '桌子', 'table'],
  toilet: ['马桶'],
  tv: ['电视', 'television', 'monitor'],
  laptop: ['笔记本电脑', '电脑', 'notebook', 'computer'],
  mouse: ['鼠标'],
  remote: ['遥控器'],
  keyboard: ['键盘'],
  'cell phone': ['手机', 'phone', 'mobile', 'smartphone'],
  microwave: ['微波炉'],
  oven: ['烤箱'],
  toaster: ['烤面包机'],
  sink: ['水槽'],
  refrigerator: ['冰箱', 'fridge'],
  book: ['书'],
  clock: ['钟', '时钟'],
  vase: ['花瓶'],
  scissors: ['剪刀'],
  'teddy bear': ['泰迪熊', '玩具熊', 'toy'],
  'hair drier': ['吹风机', 'hair dryer'],
  toothbrush: ['牙刷'],
};

/** Product category id → synonyms beyond its English and Chinese names. */
const CATEGORY_SYNONYMS: Readonly<Record<number, readonly string[]>> = {
  0: ['top', 'shirt', 't-shirt', 'tshirt', 'blouse', 'jacket', 'coat', 'sweater', '衬衫', 'T恤', '外套'],
  1: ['dress', 'skirt', 'gown', '连衣裙', '裙子'],
  2: ['bottoms', 'trousers', 'pants', 'jeans', 'shorts', '裤子', '牛仔裤'],
  3: ['bag', 'handbag', 'backpack', 'purse', 'wallet', '手提包', '背包', '钱包'],
  4: ['shoes', 'shoe', 'sneaker', 'sneakers', 'boots', 'sandals', 'flip flops', '鞋子', '运动鞋', '靴子', '拖鞋'],
  5: ['accessories', 'watch', 'jewelry', 'hat', 'cap', 'belt', 'glasses', 'sunglasses', '手表', '帽子', '首饰'],
  6: ['snack', 'snacks', 'food', 'chips', 'candy', '食品', '零食'],
  7: ['makeup', 'cosmetics', 'lipstick', 'perfume', 'skincare', '化妆品', '口红'],
  8: ['bottle', 'drink', 'beverage', 'juice', 'milk', 'water', '饮料', '瓶子'],
  9: ['furniture', 'chair', 'sofa', 'table', 'bed', '椅子', '沙发', '桌子'],
  20: ['toy', 'toys', 'doll', 'teddy', '玩偶'],
  21: ['underwear', 'lingerie', 'socks', '袜子'],
  22: ['digital', 'electronics', 'phone', 'laptop', 'camera', 'headphones', 'computer', '手机', '电脑', '耳机', '相机'],
};

/** Every word for a product category: English name, Chinese name and synonyms. */
export function categoryWords(categoryId: number): string[] {
  const c = PRODUCT_CATEGORIES.find((x) => x.id === categoryId);
  if (!c || categoryId === 88888888) return [];
  return [c.name, c.nameZh, ...(CATEGORY_SYNONYMS[categoryId] ?? [])];
}

/** Every word for a detector label: the label, its Chinese name and synonyms. */
export function labelWords(label: string): string[] {
  if (label === 'salient') return [];
  return [label, ...(LABEL_WORDS[label] ?? [])];
}
