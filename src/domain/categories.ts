// The product category table of the cloud product (aliyun-imagesearch-api.md §2.6).

import type { ServiceType } from './types.js';

export interface Category {
  id: number;
  name: string;
  nameZh: string;
}

/** Id of "Other", the only category of non-product service types. */
export const OTHER_CATEGORY = 88888888;

/** The 14 product categories in the table order the cloud service returns them. */
export const PRODUCT_CATEGORIES: readonly Category[] = Object.freeze([
  { id: 0, name: 'Tops', nameZh: '上衣' },
  { id: 1, name: 'Dress', nameZh: '裙装' },
  { id: 2, name: 'Bottoms', nameZh: '下装' },
  { id: 3, name: 'Bag', nameZh: '包' },
  { id: 4, name: 'Shoes', nameZh: '鞋' },
  { id: 5, name: 'Accessories', nameZh: '配饰' },
  { id: 6, name: 'Snack', nameZh: '零食' },
  { id: 7, name: 'Makeup', nameZh: '美妆' },
  { id: 8, name: 'Bottle', nameZh: '瓶饮' },
  { id: 9, name: 'Furniture', nameZh: '家具' },
  { id: 20, name: 'Toy', nameZh: '玩具' },
  { id: 21, name: 'Underwear', nameZh: '内衣' },
  { id: 22, name: 'Digital device', nameZh: '数码硬件' },
  { id: OTHER_CATEGORY, name: 'Other', nameZh: '其他' },
]);

const GENERIC_CATEGORIES: readonly Category[] = Object.freeze([{ id: OTHER_CATEGORY, name: 'other', nameZh: '其他' }]);

/** The categories a service type knows, in response order. */
export function categoriesOf(serviceType: ServiceType): readonly Category[] {
  return serviceType === 'product' ? PRODUCT_CATEGORIES : GENERIC_CATEGORIES;
}

/** True when `id` is one of the product category ids. */
export function isProductCategory(id: number): boolean {
  return PRODUCT_CATEGORIES.some((c) => c.id === id);
}
