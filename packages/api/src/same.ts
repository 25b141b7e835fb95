/**
 * Compile-time proof that a zod DTO describes exactly a type declared
 * elsewhere (in the engine): `sameShape<Dto, EngineType>(true)` stops
 * type-checking the moment the two drift apart.
 */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const sameShape = <A, B>(proof: Same<A, B>): Same<A, B> => proof;
