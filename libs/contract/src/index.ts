export {
  MAX_COMMAND_NAME_LENGTH,
  IllegalCommandNameError,
  parseCommandName,
  isCommandName,
} from './lib/command/command-name';
