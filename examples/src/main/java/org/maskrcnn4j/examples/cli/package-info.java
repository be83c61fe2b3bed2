/** The {@code maskrcnn} command line (picocli): one class per subcommand. */
package org.maskrcnn4j.examples.cli;
