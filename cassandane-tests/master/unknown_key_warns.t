#!/usr/bin/perl
# unknown_key_warns.t - an unknown key in imapd.conf or cyrus.conf is a
# warning naming file:line and the key; master starts and serves anyway.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'unknown',
    services => [{ name => 'svc', cmd => 'testsvc', prefork => 1,
                   frobnicate => 'yes' }],
    imapd_conf_text => "# unknown key follows\nfrobnicate_widgets: 12\n");
$i->prepare;
my $imapd = $i->imapd_conf;
my $cyrus = $i->cyrus_conf;
my ($iline) = line_of($imapd, qr/^frobnicate_widgets:/);
my ($cline) = line_of($cyrus, qr/\bfrobnicate=/);
$i->start;

ok(Murder::Util::wait_for(sub { warning_with($i, "$imapd:$iline", 'frobnicate_widgets') }, 5),
   "imapd.conf: warning names $imapd:$iline and the key")
    or diag($i->log_tail(20));
ok(Murder::Util::wait_for(sub { warning_with($i, "$cyrus:$cline", 'frobnicate') }, 5),
   "cyrus.conf: warning names $cyrus:$cline and the key")
    or diag($i->log_tail(20));

my $c = $i->line_client('svc');
like($c->banner, qr/service=svc/, 'master serves despite the unknown keys');
$c->cmd('QUIT');
$i->stop;
done_testing;

# warning_with - a warning line holding both texts (in any order), in the
# imapd.conf log_file itself, from master (children log their own copy):
# the file is read before logging is set up, so a warning printed only to
# stderr would be lost under -d.
sub warning_with {
    my ($i, $where, $key) = @_;
    my $text = Murder::Util::slurp($i->log_file) // '';
    return grep { / master\[\d+\]: / && /warn/i && /\Q$where\E\b/ && /\b\Q$key\E\b/ }
        split(/\n/, $text);
}

sub line_of {
    my ($file, $re) = @_;
    open(my $fh, '<', $file) or die "$file: $!";
    while (<$fh>) { return $. if $_ =~ $re }
    die "no line matching $re in $file";
}
