export const NODE_ENTRY = true;
