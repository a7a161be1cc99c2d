export { transunetLoss, DICE_SMOOTH, TRANSUNET_LOSS_WEIGHTS, type TransUNetLoss } from './transunet-loss.js';
