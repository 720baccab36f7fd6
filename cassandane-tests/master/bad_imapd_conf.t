#!/usr/bin/perl
# bad_imapd_conf.t - a bad value in imapd.conf stops master before it
# listens: exit code EX_CONFIG (78), a message naming the file, the line,
# the key and what is allowed, no pidfile, no process left behind.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::Instance;

skip_unless_built(qw(master testsvc));

# [raw line, key, regexps the message must also match (what is allowed)]
my @cases = (
    ['timeout: abc', 'timeout', [qr/\b30\b/, qr/\b1440\b/]],
    ['timeout: 5', 'timeout', [qr/\b30\b/, qr/\b1440\b/]],
    ['maxword: 99999999999999999999999', 'maxword', [qr/1024/]],
    ['virtdomains: maybe', 'virtdomains', [qr/\boff\b/, qr/\buserid\b/, qr/\bon\b/]],
    ['imapidresponse: perhaps', 'imapidresponse', [qr/\b(?:yes|on|true|1)\b/i, qr/\b(?:no|off|false|0)\b/i]],
    ['mboxlist_db: oracle', 'mboxlist_db', [qr/\btwoskip\b/, qr/\bberkeley\b/]],
);

for my $c (@cases) {
    my ($text, $key, $allowed) = @$c;
    my $i = Murder::Instance->new(name => "bad_$key",
        services => [{ name => 'svc', cmd => 'testsvc', prefork => 1 }],
        imapd_conf_text => "# a comment line\n$text\n");
    $i->prepare;
    my $conf = $i->imapd_conf;
    my $line = line_of($conf, qr/^\Q$text\E$/);
    my ($status, $log) = $i->start_expect_failure(10);
    ok(defined $status && $status != 0, "'$text': master refuses to start")
        or next;
    is($status >> 8, 78, "'$text': exit code EX_CONFIG");
    my @hits = grep { /\Q$conf\E:$line\b/ && /\b\Q$key\E\b/ } split(/\n/, $log);
    ok(@hits, "'$text': message names $conf:$line and $key")
        or diag("log:\n$log");
    for my $re (@$allowed) {
        ok((grep { $_ =~ $re } @hits), "'$text': message says what is allowed ($re)")
            or diag("message: @hits");
    }
    ok(!-e $i->pidfile, "'$text': no pidfile");
    ok(!Murder::Instance::is_listening($i->address, $i->port('svc')), "'$text': not listening");
    is_deeply($i->{leftovers}, [], "'$text': no process left");
}

sub line_of {
    my ($file, $re) = @_;
    open(my $fh, '<', $file) or die "$file: $!";
    while (<$fh>) {
        chomp;
        return $. if $_ =~ $re;
    }
    die "no line matching $re in $file";
}

done_testing;
