// An <img> of an API picture. Without an access key it is a plain URL (cached by the browser);
// with one, the picture is fetched with the Authorization header and shown from a blob URL.

import { useEffect, useState } from 'preact/hooks';
import { fetchBlob, hasAccessKey } from '../api/client';

interface Props {
  src: string;
  alt: string;
  width?: number;
  height?: number;
  loading?: 'lazy' | 'eager';
  class?: string;
}

/** A URL an <img> can show for an API picture: the URL itself, or a blob URL fetched with the key. */
export function useApiUrl(url: string): string | undefined {
  const needsKey = hasAccessKey();
  const [blobUrl, setBlobUrl] = useState<string>();
  useEffect(() => {
    if (!needsKey) return undefined;
    let revoked = false;
    let made: string | undefined;
    fetchBlob(url).then((b) => {
      if (revoked) return;
      made = URL.createObjectURL(b);
      setBlobUrl(made);
    }).catch(() => setBlobUrl(undefined));
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, needsKey]);
  return needsKey ? blobUrl : url;
}

/** An <img> of an API picture that also works when the server requires an access key. */
export function ApiImage({ src, alt, ...rest }: Props) {
  const url = useApiUrl(src);
  return <img src={url} alt={alt} {...rest} />;
}
