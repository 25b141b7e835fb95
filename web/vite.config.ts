import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type Rollup } from 'vite';

/**
 * The editor route's code is a lazy chunk, requested only once the main
 * script has run and the router matched. When the page opens on an editor
 * URL, a script in the built index.html asks for that chunk and its imports
 * at once (modulepreload: fetched and compiled while the main script runs).
 */
function preloadEditorChunk(): Plugin {
  return {
    name: 'tellflow-preload-editor',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? ({} as Rollup.OutputBundle)).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
        const editor = chunks.find((c) => c.isDynamicEntry && c.moduleIds.some((id) => id.endsWith('/src/editor/EditorPage.tsx')));
        if (!editor) throw new Error('preload-editor: the EditorPage chunk is missing from the build');
        const entry = chunks.find((c) => c.isEntry);
        const byName = new Map(chunks.map((c) => [c.fileName, c]));
        // The chunk and what it imports statically, without the entry (already loading).
        const files = new Set<string>();
        const visit = (file: string) => {
          if (files.has(file) || file === entry?.fileName) return;
          files.add(file);
          for (const next of byName.get(file)?.imports ?? []) visit(next);
        };
        visit(editor.fileName);
        const hrefs = JSON.stringify([...files].map((f) => `/${f}`));
        return [
          {
            tag: 'script',
            injectTo: 'head',
            children: `if (/^\\/scenarios\\/[^/]+\\/?$/.test(location.pathname)) for (const href of ${hrefs}) { const l = document.createElement('link'); l.rel = 'modulepreload'; l.href = href; document.head.append(l); }`,
          },
        ];
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), preloadEditorChunk()],
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
