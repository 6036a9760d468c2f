// npm run --silent glossary > docs/glossary.md: the glossary the app shows, as Markdown.
import { glossaryMarkdown } from '../ui/glossary/glossary';

process.stdout.write(glossaryMarkdown());
