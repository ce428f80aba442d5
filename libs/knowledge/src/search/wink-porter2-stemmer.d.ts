declare module 'wink-porter2-stemmer' {
  /** Porter2 (Snowball english) stem of one lower-cased word. */
  export default function stem(word: string): string;
}
