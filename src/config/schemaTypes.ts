/**
 * A small FromSchema: derives the TypeScript type of a validated config from the JSON Schema
 * written `as const` in schema.ts, so the schema is the only source of truth (conventions 2.5).
 * A property is present in the type when it is `required` or has a `default` (ajv's useDefaults
 * fills it in); otherwise it is optional. Covers the subset the config schema uses: object,
 * array, string, integer, number, boolean, enum, const, and additionalProperties maps.
 */
type Req<S> = S extends { required: readonly (infer K)[] } ? K : never;
type WithDefault<P> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<S> = S extends { properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends Req<S> | WithDefault<P> ? K : never]: FromSchema<P[K]> } & {
        -readonly [K in keyof P as K extends Req<S> | WithDefault<P> ? never : K]?: FromSchema<P[K]>;
      }
    >
  : S extends { additionalProperties: infer A }
    ? A extends false
      ? Record<string, never>
      : { [key: string]: FromSchema<A> }
    : Record<string, unknown>;

export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: infer E }
    ? E extends readonly (infer U)[] ? U : never
    : S extends { type: 'object' }
      ? ObjectOf<S>
      : S extends { type: 'array'; items: infer I }
        ? FromSchema<I>[]
        : S extends { type: 'string' }
          ? string
          : S extends { type: 'integer' | 'number' }
            ? number
            : S extends { type: 'boolean' }
              ? boolean
              : unknown;
