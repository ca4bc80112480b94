import {
  buildASTSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  parse,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';

/**
 * Checks that `actual` covers `contract` (shared/contract.graphql's rules): every type, field, argument, input
 * field and enum value exists with a compatible type. Output positions may be stricter (non-null where the
 * contract is nullable); input positions may be looser (nullable where the contract requires). Returns one line
 * per gap, e.g. `Query.recognize: missing`.
 */
export function contractGaps(contractSdl: string, actualSdl: string): string[] {
  const contract = buildASTSchema(parse(contractSdl));
  const actual = buildASTSchema(parse(actualSdl), { assumeValidSDL: true });
  return gapsBetween(contract, actual);
}

function gapsBetween(contract: GraphQLSchema, actual: GraphQLSchema): string[] {
  const gaps: string[] = [];
  for (const type of Object.values(contract.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    const other = actual.getType(type.name);
    if (!other) {
      gaps.push(`${type.name}: missing`);
      continue;
    }
    if (isEnumType(type)) {
      if (!isEnumType(other)) gaps.push(`${type.name}: not an enum`);
      else for (const v of type.getValues()) if (!other.getValue(v.name)) gaps.push(`${type.name}.${v.name}: missing`);
    } else if (isObjectType(type) || isInterfaceType(type)) {
      if (!isObjectType(other) && !isInterfaceType(other)) {
        gaps.push(`${type.name}: not an object type`);
        continue;
      }
      const fields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirs = fields[field.name];
        const where = `${type.name}.${field.name}`;
        if (!theirs) {
          gaps.push(`${where}: missing`);
          continue;
        }
        if (!outputCompatible(field.type, theirs.type)) gaps.push(`${where}: type ${String(theirs.type)} does not satisfy ${String(field.type)}`);
        for (const arg of field.args) {
          const theirArg = theirs.args.find((a) => a.name === arg.name);
          if (!theirArg) gaps.push(`${where}(${arg.name}): missing`);
          else if (!inputCompatible(arg.type, theirArg.type)) gaps.push(`${where}(${arg.name}): type ${String(theirArg.type)} does not accept ${String(arg.type)}`);
        }
        for (const theirArg of theirs.args) {
          if (!field.args.some((a) => a.name === theirArg.name) && isNonNullType(theirArg.type) && theirArg.defaultValue === undefined) {
            gaps.push(`${where}(${theirArg.name}): required argument the contract does not have`);
          }
        }
      }
    } else if (isInputObjectType(type)) {
      if (!isInputObjectType(other)) {
        gaps.push(`${type.name}: not an input type`);
        continue;
      }
      const fields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirs = fields[field.name];
        if (!theirs) gaps.push(`${type.name}.${field.name}: missing`);
        else if (!inputCompatible(field.type, theirs.type)) gaps.push(`${type.name}.${field.name}: type ${String(theirs.type)} does not accept ${String(field.type)}`);
      }
      for (const theirs of Object.values(fields)) {
        if (!type.getFields()[theirs.name] && isNonNullType(theirs.type) && theirs.defaultValue === undefined) {
          gaps.push(`${type.name}.${theirs.name}: required input field the contract does not have`);
        }
      }
    }
  }
  return gaps;
}

/** Output: ours may be non-null where the contract allows null, never the reverse. */
function outputCompatible(contract: GraphQLType, ours: GraphQLType): boolean {
  if (isNonNullType(contract)) return isNonNullType(ours) && outputCompatible(contract.ofType, ours.ofType);
  if (isNonNullType(ours)) return outputCompatible(contract, ours.ofType);
  if (isListType(contract)) return isListType(ours) && outputCompatible(contract.ofType, ours.ofType);
  return !isListType(ours) && 'name' in ours && 'name' in contract && ours.name === contract.name;
}

/** Input: ours may accept null where the contract requires a value, never the reverse. */
function inputCompatible(contract: GraphQLType, ours: GraphQLType): boolean {
  if (isNonNullType(ours)) return isNonNullType(contract) && inputCompatible(contract.ofType, ours.ofType);
  if (isNonNullType(contract)) return inputCompatible(contract.ofType, ours);
  if (isListType(contract)) return isListType(ours) && inputCompatible(contract.ofType, ours.ofType);
  return !isListType(ours) && 'name' in ours && 'name' in contract && ours.name === contract.name;
}
