// Prints the klp core statechart's ELK layouts as JSON (with and without action names):
// chartLayoutPlugin.ts runs this at build time in its own Node process.

import ELK from 'elkjs/lib/elk.bundled.js';
import { klpCoreMachine } from '../../../engine/klpCoreMachine';
import { chartModel } from '../../../engine/select/chartModel';
import { toElk } from './elkGraph';

const model = chartModel(klpCoreMachine);
const elk = new ELK();
const [withActions, withoutActions] = await Promise.all([elk.layout(toElk(model, true)), elk.layout(toElk(model, false))]);
process.stdout.write(JSON.stringify({ withActions, withoutActions }));
